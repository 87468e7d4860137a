import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/**
 * Writes `bytes` of content where every 8-byte word holds its own offset (little endian) mixed with a seed, so a
 * byte landing at the wrong offset changes the checksum (a sparse file of zeros would hide that). Returns digests
 * computed while writing.
 */
export async function writePatternFile(file: string, bytes: number, seed = 0x9e3779b9): Promise<{ md5: string; sha256: string }> {
  const md5 = createHash("md5");
  const sha256 = createHash("sha256");
  const block = Buffer.alloc(1 << 20);
  const fh = await open(file, "w");
  try {
    for (let at = 0; at < bytes; at += block.length) {
      for (let i = 0; i < block.length; i += 8) {
        block.writeUInt32LE((at + i) % 0x100000000, i);
        block.writeUInt32LE((Math.floor((at + i) / 0x100000000) ^ seed) >>> 0, i + 4);
      }
      const n = Math.min(block.length, bytes - at);
      const slice = block.subarray(0, n);
      md5.update(slice);
      sha256.update(slice);
      await fh.write(slice, 0, n, at);
    }
  } finally {
    await fh.close();
  }
  return { md5: md5.digest("hex"), sha256: sha256.digest("hex") };
}
