import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/**
 * sha256 of a file, with md5 (unless `md5: false`), in one sequential read.
 */
export async function hashFile(params: { file: string; md5?: boolean }): Promise<{ bytes: number; md5?: string; sha256: string }> {
  const md5 = params.md5 === false ? null : createHash("md5");
  const sha256 = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(params.file, { highWaterMark: 1 << 20 })) {
    md5?.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, ...(md5 && { md5: md5.digest("hex") }), sha256: sha256.digest("hex") };
}
