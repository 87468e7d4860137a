import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export type EmbeddedRedis = { url: string; port: number; stop: () => Promise<void> };

export class RedisNotInstalledError extends Error {
  constructor() {
    super(
      "redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y redis-server`, " +
        "macOS: `brew install redis`) or set REDIS_URL to an existing Redis (redis://host:6379).",
    );
    this.name = "RedisNotInstalledError";
  }
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited early with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, "127.0.0.1", () => {
        sock.end();
        resolve(true);
      });
      sock.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
}

/**
 * The embedded Redis's password: generated once into `<dir>/password` (0600, like secret.key), so that other local
 * users and processes that can reach 127.0.0.1 cannot read or write the queues.
 */
async function redisPassword(dir: string): Promise<string> {
  const file = path.join(dir, "password");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const password = randomBytes(24).toString("hex");
  await writeFile(file, password + "\n", { mode: 0o600, flag: "wx" });
  return password;
}

/**
 * Starts a private redis-server child bound to 127.0.0.1 with AOF persistence under `dir`.
 * Used by `npm start` when REDIS_URL is unset and by the test suites, so both exercise one code path.
 * `noeviction` because BullMQ must never lose keys under memory pressure. The URL carries the password.
 */
export async function startRedis(params: { dir: string; port?: number; quiet?: boolean }): Promise<EmbeddedRedis> {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error) throw new RedisNotInstalledError();
  await mkdir(params.dir, { recursive: true });
  const port = params.port || (await freePort());
  const password = await redisPassword(params.dir);
  // The password goes in a 0600 config file rather than on the command line, where `ps` would show it.
  const conf = path.join(params.dir, "redis.conf");
  await writeFile(conf, `requirepass ${password}\n`, { mode: 0o600 });
  await chmod(conf, 0o600);
  const child = spawn(
    "redis-server",
    [
      conf,
      "--bind", "127.0.0.1",
      "--port", String(port),
      "--dir", path.resolve(params.dir),
      "--appendonly", "yes",
      "--save", "",
      "--maxmemory-policy", "noeviction",
      "--protected-mode", "yes",
    ],
    { stdio: params.quiet ? "ignore" : ["ignore", "ignore", "inherit"] },
  );
  await waitForPort(port, child, 10_000);
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  };
  return { url: `redis://:${password}@127.0.0.1:${port}`, port, stop };
}
