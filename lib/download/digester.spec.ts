import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDigester, WORKER_MIN_BYTES } from "./digester";

const dirP = mkdtemp(path.join(os.tmpdir(), "depot-digester-"));
afterAll(async () => rm(await dirP, { recursive: true, force: true }));

describe("createDigester", () => {
  const data = randomBytes(WORKER_MIN_BYTES + 123);
  const want = { md5: createHash("md5").update(data).digest("hex"), sha256: createHash("sha256").update(data).digest("hex") };

  it.each([
    ["worker threads", data.length],
    ["inline", 1 << 20],
  ])("hashes the growing prefix read back from the file (%s)", async (name, total) => {
    const file = path.join(await dirP, name);
    const fh = await open(file, "w+");
    const bytes = data.subarray(0, total);
    const d = createDigester({ file, fh, total, algorithms: ["md5", "sha256"] });
    try {
      for (let at = 0; at < total; at += 3 << 20) {
        const chunk = bytes.subarray(at, at + (3 << 20));
        await fh.write(chunk, 0, chunk.length, at);
        d.advance(at + chunk.length);
        d.advance(at); // a stale, smaller prefix is ignored
      }
      const expected =
        total === data.length
          ? want
          : { md5: createHash("md5").update(bytes).digest("hex"), sha256: createHash("sha256").update(bytes).digest("hex") };
      expect(await d.digest()).toEqual(expected);
    } finally {
      await d.close();
      await fh.close();
    }
  });

  it.each([
    ["worker threads", "sha256", data.length],
    ["inline", "md5", 1 << 20],
  ] as const)("computes only what was asked for (%s, %s)", async (name, algorithm, total) => {
    const file = path.join(await dirP, `one-${name}`);
    const fh = await open(file, "w+");
    const bytes = data.subarray(0, total);
    await fh.write(bytes, 0, total, 0);
    const d = createDigester({ file, fh, total, algorithms: [algorithm] });
    try {
      d.advance(total);
      expect(await d.digest()).toEqual({ [algorithm]: createHash(algorithm).update(bytes).digest("hex") });
    } finally {
      await d.close();
      await fh.close();
    }
  });

  it("will not digest before the whole file is on disk", async () => {
    const file = path.join(await dirP, "short");
    const fh = await open(file, "w+");
    const d = createDigester({ file, fh, total: WORKER_MIN_BYTES, algorithms: ["md5", "sha256"] });
    try {
      await fh.write(data.subarray(0, 1 << 20), 0, 1 << 20, 0);
      d.advance(1 << 20);
      await expect(d.digest()).rejects.toThrow(/stuck at byte/);
    } finally {
      await d.close();
      await fh.close();
    }
  });
});
