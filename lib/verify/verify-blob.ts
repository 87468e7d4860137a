import { stat } from "node:fs/promises";
import { hashFile } from "./hash-file";

export interface BlobDigests {
  bytes?: number;
  md5?: string;
  sha256?: string;
}

export interface VerifyBlobResult {
  /** True only when every expected value was checked and matched; a missing file is never ok. */
  ok: boolean;
  actual: BlobDigests;
  expected: BlobDigests;
}

/**
 * Re-checks a file on disk against the digests given. When any hash is expected, one read computes what is
 * expected plus `compute` (by default md5 and sha256, so a caller re-registering a file gets both). A size mismatch
 * answers without hashing; with nothing expected the result is not ok.
 */
export async function verifyBlob(params: {
  file: string;
  md5?: string;
  sha256?: string;
  bytes?: number;
  /** Digests computed besides the expected ones, in the same read. @default ["md5", "sha256"] */
  compute?: ("md5" | "sha256")[];
}): Promise<VerifyBlobResult> {
  const expected: BlobDigests = {
    ...(params.bytes !== undefined && { bytes: params.bytes }),
    ...(params.md5 !== undefined && { md5: params.md5.toLowerCase() }),
    ...(params.sha256 !== undefined && { sha256: params.sha256.toLowerCase() }),
  };
  const size = await stat(params.file).then((s) => (s.isFile() ? s.size : null), () => null);
  if (size === null) return { ok: false, actual: {}, expected };
  const actual: BlobDigests = { bytes: size };
  if (expected.bytes !== undefined && expected.bytes !== size) return { ok: false, actual, expected };
  if (expected.md5 !== undefined || expected.sha256 !== undefined) {
    const compute = params.compute ?? ["md5", "sha256"];
    const md5 = expected.md5 !== undefined || compute.includes("md5");
    const { bytes: _bytes, ...digests } = await hashFile({ file: params.file, md5 });
    Object.assign(actual, digests);
  }
  const checked = Object.keys(expected) as Array<keyof BlobDigests>;
  const ok = checked.length > 0 && checked.every((k) => actual[k] === expected[k]);
  return { ok, actual, expected };
}
