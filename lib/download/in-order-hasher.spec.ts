import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WORKER_MIN_BYTES } from "./digester";
import { InOrderHasher } from "./in-order-hasher";
import type { DownloadState } from "./parts";

const dirP = mkdtemp(path.join(os.tmpdir(), "depot-hasher-"));
afterAll(async () => rm(await dirP, { recursive: true, force: true }));

const sizes = [
  ["inline", 1 << 20],
  ["worker threads", WORKER_MIN_BYTES + 4096],
] as const;

async function setup(name: string, bytes: number) {
  const data = randomBytes(bytes);
  const want = {
    md5: createHash("md5").update(data).digest("hex"),
    sha256: createHash("sha256").update(data).digest("hex"),
  };
  const file = path.join(await dirP, name);
  const fh = await open(file, "w+");
  await fh.truncate(data.length);
  const q = data.length / 4;
  const state: DownloadState = {
    version: 1,
    total: data.length,
    parts: [0, 1, 2, 3].map((i) => ({ start: i * q, end: (i + 1) * q, done: 0 })),
  };
  const hasher = new InOrderHasher(fh, state, file, ["md5", "sha256"]);
  /** Writes `len` bytes of a part at `from` (relative to the part), then tells the hasher, as the engine does. */
  const write = async (partIndex: number, from: number, len: number) => {
    const part = state.parts[partIndex];
    if (!part) throw new Error("part");
    const offset = part.start + from;
    await fh.write(data.subarray(offset, offset + len), 0, len, offset);
    part.done = from + len;
    hasher.onWritten();
  };
  return { data, want, fh, state, hasher, write, q };
}

describe("InOrderHasher", () => {
  it.each(sizes)("hashes parts that land out of order (%s)", async (name, bytes) => {
    const { want, fh, hasher, write, q } = await setup(`a-${name}`, bytes);
    try {
      await write(2, 0, q); // part 2 runs ahead
      for (let i = 0; i < q; i += q / 8) await write(0, i, q / 8);
      await write(1, 0, q / 2);
      await new Promise((r) => setTimeout(r, 20));
      await write(1, q / 2, q / 2);
      await write(3, 0, q);
      expect(await hasher.digest()).toEqual(want);
    } finally {
      await hasher.close();
      await fh.close();
    }
  });

  it.each(sizes)("re-hashes the prefix left on disk by an earlier run, then continues (%s)", async (name, bytes) => {
    const { data, want, fh, state, hasher, write, q } = await setup(`b-${name}`, bytes);
    try {
      await fh.write(data.subarray(0, q + 1000), 0, q + 1000, 0);
      (state.parts[0] as { done: number }).done = q;
      (state.parts[1] as { done: number }).done = 1000;
      hasher.kick();
      await write(1, 1000, q - 1000);
      await write(3, 0, q);
      await write(2, 0, q);
      expect(await hasher.digest()).toEqual(want);
    } finally {
      await hasher.close();
      await fh.close();
    }
  });

  it.each(sizes)("refuses to produce a digest for an incomplete file (%s)", async (name, bytes) => {
    const { fh, hasher, write, q } = await setup(`c-${name}`, bytes);
    try {
      await write(0, 0, q);
      await write(2, 0, q);
      await expect(hasher.digest()).rejects.toThrow(/file incomplete/);
    } finally {
      await hasher.close();
      await fh.close();
    }
  });
});
