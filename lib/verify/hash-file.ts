import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { crc32 as crc32Update } from "node:zlib";

/**
 * sha256 of a file, with md5 (unless `md5: false`) and zlib's CRC-32 (with `crc32: true`), in one sequential read.
 */
export async function hashFile(params: { file: string; md5?: boolean; crc32?: boolean }): Promise<{ bytes: number; md5?: string; sha256: string; crc32?: number }> {
  const md5 = params.md5 === false ? null : createHash("md5");
  const sha256 = createHash("sha256");
  let crc = params.crc32 ? 0 : null;
  let bytes = 0;
  for await (const chunk of createReadStream(params.file, { highWaterMark: 1 << 20 })) {
    md5?.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
    if (crc !== null) crc = crc32Update(chunk as Buffer, crc);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, ...(md5 && { md5: md5.digest("hex") }), sha256: sha256.digest("hex"), ...(crc !== null && { crc32: crc }) };
}
