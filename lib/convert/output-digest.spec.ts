import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutputDigest } from "./output-digest";

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "depot-digest-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Writes `parts` back to front into a new file, marking each written, and returns the digest's result. */
async function writeBackwards(parts: Buffer[]): Promise<string> {
  const file = path.join(dir, `out-${parts.length}.bin`);
  const fh = await open(file, "w+");
  const total = parts.reduce((a, p) => a + p.length, 0);
  const digest = new OutputDigest(fh, file, total);
  try {
    let offset = 0;
    const regions = parts.map((p) => {
      const region = { p, at: offset, done: digest.expect(offset, p.length) };
      offset += p.length;
      return region;
    });
    for (const { p, at, done } of regions.reverse()) {
      await fh.write(p, 0, p.length, at);
      done();
    }
    return await digest.result();
  } finally {
    await digest.close();
    await fh.close();
  }
}

describe("OutputDigest", () => {
  it.each([
    ["small regions", 8, 4096],
    ["regions larger than a read", 5, 5 * 1024 * 1024 + 3],
  ])("hashes regions written out of order as the file's sha256: %s", async (_, count, size) => {
    const parts = Array.from({ length: count }, (_, i) => randomBytes(i % 2 ? size : size >> 3));
    expect(await writeBackwards(parts)).toBe(createHash("sha256").update(Buffer.concat(parts)).digest("hex"));
  });

  it("fails while a region is still unwritten", async () => {
    const file = path.join(dir, "gap.bin");
    const fh = await open(file, "w+");
    const digest = new OutputDigest(fh, file, 300);
    await fh.write(randomBytes(300), 0, 300, 0);
    digest.expect(0, 100)();
    digest.expect(100, 100); // never marked
    digest.expect(200, 100)();
    await expect(digest.result()).rejects.toThrow("hasher stuck at byte 100 of 300");
    await digest.close();
    await fh.close();
  });

  it("refuses a region that does not follow the last one", async () => {
    const file = path.join(dir, "order.bin");
    const fh = await open(file, "w+");
    const digest = new OutputDigest(fh, file, 20);
    digest.expect(0, 10);
    expect(() => digest.expect(11, 5)).toThrow("region at 11, expected 10");
    await digest.close();
    await fh.close();
  });
});
