import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { startRedis } from "../../lib/redis/start-redis";

/** One PING over a bare socket, as any local process could send: the first reply line. */
function rawPing(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1", () => sock.write("PING\r\n"));
    sock.once("data", (d) => {
      sock.destroy();
      resolve(d.toString());
    });
    sock.once("error", reject);
  });
}

describe("finding 14: the embedded Redis requires a password", () => {
  it("refuses a client without it, accepts the URL it hands out, keeps the password 0600 and stable", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "depot-redis-pw-"));
    let redis = await startRedis({ dir, quiet: true });
    try {
      expect(await rawPing(redis.port)).toMatch(/^-NOAUTH/);
      const client = new Redis(redis.url);
      expect(await client.ping()).toBe("PONG");
      client.disconnect();
      expect((await stat(path.join(dir, "password"))).mode & 0o777).toBe(0o600);
      const url = redis.url;
      await redis.stop();
      redis = await startRedis({ dir, quiet: true, port: redis.port });
      expect(redis.url).toBe(url);
    } finally {
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
