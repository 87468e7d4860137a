import { db } from "../db/prisma";
import type { FileStatus, ModelStatus } from "./model-dto";

export type FileFacts = {
  /** Relative to the model directory. */
  path: string;
  /** `null`: the file is missing on disk. */
  bytes: number | null;
  md5?: string;
  sha256?: string;
  expectedMd5?: string;
  expectedSha256?: string;
  /** Expected size (HF listings, recorded GGUF size); a different size is a mismatch without hashing. */
  expectedBytes?: number;
};

export type FileVerdict = { path: string; status: FileStatus; error: string | null };

/** A file is verified only when every expected value was computed and matched; no expectation means "downloaded". */
export function judgeFile(f: FileFacts): FileVerdict {
  if (f.bytes === null) return { path: f.path, status: "corrupt", error: "file is missing" };
  if (f.expectedBytes !== undefined && f.expectedBytes !== f.bytes) {
    return { path: f.path, status: "corrupt", error: `size mismatch: expected ${f.expectedBytes} bytes, found ${f.bytes}` };
  }
  const checks: [string, string | undefined, string | undefined][] = [
    ["md5", f.expectedMd5, f.md5],
    ["sha256", f.expectedSha256, f.sha256],
  ];
  const expected = checks.filter(([, e]) => e !== undefined);
  if (expected.length === 0) return { path: f.path, status: "downloaded", error: null };
  for (const [algo, e, a] of expected) {
    if (a === undefined) return { path: f.path, status: "corrupt", error: `${algo} was not computed` };
    if (e!.toLowerCase() !== a.toLowerCase()) return { path: f.path, status: "corrupt", error: `${algo} mismatch: expected ${e}, got ${a}` };
  }
  return { path: f.path, status: "verified", error: null };
}

/** Any corrupt file makes the model corrupt; it is verified when at least one checksum matched and none failed. */
export function modelStatusOf(verdicts: FileVerdict[]): ModelStatus {
  if (verdicts.some((v) => v.status === "corrupt")) return "corrupt";
  if (verdicts.some((v) => v.status === "verified")) return "verified";
  return "ready";
}

/**
 * Writes what a download or verification learnt about a model's files (upsert by path), then the model's status
 * and size. Returns the verdicts so callers can report mismatches.
 */
export async function recordModelFiles(params: { modelId: string; files: FileFacts[]; metadata?: Record<string, unknown> }): Promise<{
  status: ModelStatus;
  verdicts: FileVerdict[];
  bytes: number;
}> {
  const now = new Date();
  const verdicts = params.files.map(judgeFile);
  const bytes = params.files.reduce((s, f) => s + (f.bytes ?? 0), 0);
  const status = modelStatusOf(verdicts);
  await db().$transaction([
    ...params.files.map((f, i) => {
      const v = verdicts[i]!;
      const data = {
        bytes: BigInt(f.bytes ?? 0),
        md5: f.md5 ?? null,
        sha256: f.sha256 ?? null,
        expectedMd5: f.expectedMd5 ?? null,
        expectedSha256: f.expectedSha256 ?? null,
        status: v.status,
        error: v.error,
        verifiedAt: v.status === "downloaded" ? null : now,
      };
      return db().modelFile.upsert({
        where: { modelId_path: { modelId: params.modelId, path: f.path } },
        create: { modelId: params.modelId, path: f.path, ...data },
        update: data,
      });
    }),
    db().model.update({
      where: { id: params.modelId },
      data: { status, bytes: BigInt(bytes), ...(params.metadata ? { metadataJson: JSON.stringify(params.metadata) } : {}) },
    }),
  ]);
  return { status, verdicts, bytes };
}
