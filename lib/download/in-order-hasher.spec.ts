import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InOrderHasher } from "./in-order-hasher";
import type { DownloadState } from "./parts";

const dirP = mkdtemp(path.join(os.tmpdir(), "depot-hasher-"));
afterAll(async () => rm(await dirP, { recursive: true, force: true }));

const data = randomBytes(1 << 20);
const want = {
  md5: createHash("md5").update(data).digest("hex"),
  sha256: createHash("sha256").update(data).digest("hex"),
};

/** A file handle that counts bytes read back, to prove what the hasher takes from memory. */
async function setup(name: string) {
  const fh = await open(path.join(await dirP, name), "w+");
  await fh.truncate(data.length);
  let readBack = 0;
  const counting = new Proxy(fh, {
    get(target, prop) {
      if (prop === "read") {
        return async (buf: Buffer, off: number, len: number, pos: number) => {
          const r = await target.read(buf, off, len, pos);
          readBack += r.bytesRead;
          return r;
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as FileHandle;
  const q = data.length / 4;
  const state: DownloadState = { version: 1, total: data.length, parts: [0, 1, 2, 3].map((i) => ({ start: i * q, end: (i + 1) * q, done: 0 })) };
  const write = async (partIndex: number, from: number, len: number) => {
    const part = state.parts[partIndex];
    if (!part) throw new Error("part");
    const offset = part.start + from;
    const chunk = data.subarray(offset, offset + len);
    await fh.write(chunk, 0, len, offset);
    part.done = from + len;
    hasher.onWritten(offset, chunk);
  };
  const hasher = new InOrderHasher(counting, state);
  return { fh, state, hasher, write, readBack: () => readBack, q };
}

describe("InOrderHasher", () => {
  it("hashes in-order chunks from memory and reads back only bytes written ahead of it", async () => {
    const { fh, hasher, write, readBack, q } = await setup("a");
    await write(2, 0, q); // part 2 runs ahead
    for (let i = 0; i < q; i += 4096) await write(0, i, 4096); // part 0: memory path
    await write(1, 0, q / 2); // part 1's first half lands while the hasher is at its start
    await new Promise((r) => setTimeout(r, 20));
    await write(1, q / 2, q / 2);
    await write(3, 0, q);
    expect(await hasher.digest()).toEqual(want);
    // Everything of part 0 and the in-order chunks came from memory; only bytes written ahead were read back.
    expect(readBack()).toBeLessThan(data.length);
    expect(readBack()).toBeGreaterThanOrEqual(q); // part 2 had to be read back
    await fh.close();
  });

  it("re-hashes the prefix left on disk by an earlier run, then continues", async () => {
    const { fh, state, hasher, write, readBack, q } = await setup("b");
    await fh.write(data.subarray(0, q + 1000), 0, q + 1000, 0);
    (state.parts[0] as { done: number }).done = q;
    (state.parts[1] as { done: number }).done = 1000;
    hasher.kick();
    await write(1, 1000, q - 1000);
    await write(3, 0, q);
    await write(2, 0, q);
    expect(await hasher.digest()).toEqual(want);
    expect(readBack()).toBeGreaterThanOrEqual(q + 1000);
    await fh.close();
  });

  it("refuses to produce a digest for an incomplete file", async () => {
    const { fh, hasher, write, q } = await setup("c");
    await write(0, 0, q);
    await expect(hasher.digest()).rejects.toThrow(/file incomplete/);
    await fh.close();
  });
});
