import { stat } from "node:fs/promises";
import path from "node:path";
import { db } from "../db/prisma";
import { safeJoin } from "../download";
import type { JobProgress } from "../queue/payloads";
import { verifyBlob } from "../verify";
import { CancelledError } from "../errors";
import { ModelError } from "./errors";
import { modelDir } from "../stores/paths";
import { recordModelFiles, type FileFacts } from "./record-model-files";

/**
 * Re-reads every file of a model and checks it against the checksums recorded at download or conversion time
 * (checklist md5, hub LFS sha256, GGUF sha256). Per-file results are stored; a mismatch leaves the file `corrupt`
 * with expected and actual values, and fails the job with them.
 */
export async function verifyModel(params: {
  modelId: string;
  progress: (p: JobProgress) => Promise<void>;
  signal: AbortSignal;
}): Promise<{ status: string; files: number; verified: number }> {
  const m = await db().model.findUnique({ where: { id: params.modelId }, include: { files: { orderBy: { path: "asc" } } } });
  if (!m) throw new ModelError("not_found", `model ${params.modelId} no longer exists`);
  if (m.files.length === 0) throw new ModelError("not_found", `${m.name} has no files recorded: download it first`);
  const total = m.files.reduce((s, f) => s + Number(f.bytes), 0);
  let done = 0;
  const facts: FileFacts[] = [];
  const setAside = new Set<string>();
  for (const f of m.files) {
    if (params.signal.aborted) throw new CancelledError();
    await params.progress({ pct: total ? (done / total) * 100 : 0, message: `verifying ${f.path}`, bytesDone: done, bytesTotal: total });
    const expectedMd5 = f.expectedMd5 ?? undefined;
    const expectedSha256 = f.expectedSha256 ?? undefined;
    // A download that failed its checksum renamed the file to `<name>.corrupt` (pull-meta); check those bytes.
    const file = safeJoin(modelDir(m.directory), f.path);
    const found = await stat(file).then(() => file, () => stat(`${file}.corrupt`).then(() => `${file}.corrupt`, () => file));
    if (found !== file) setAside.add(f.path);
    const r = await verifyBlob({ file: found, md5: expectedMd5, sha256: expectedSha256 });
    // Digests not re-computed this time stay as recorded while the size is unchanged.
    const same = r.actual.bytes === Number(f.bytes);
    facts.push({
      path: f.path,
      bytes: r.actual.bytes ?? null,
      md5: r.actual.md5 ?? (same ? (f.md5 ?? undefined) : undefined),
      sha256: r.actual.sha256 ?? (same ? (f.sha256 ?? undefined) : undefined),
      expectedMd5,
      expectedSha256,
    });
    done += Number(f.bytes);
  }
  const r = await recordModelFiles({ modelId: m.id, files: facts });
  await params.progress({ pct: 100, message: `${m.name}: ${r.status}`, bytesDone: total, bytesTotal: total });
  const bad = r.verdicts.filter((v) => v.status === "corrupt");
  const describe = (v: (typeof bad)[number]) =>
    `${v.path}: ${v.error}${setAside.has(v.path) ? ` (set aside as ${path.posix.basename(v.path)}.corrupt: download it again)` : ""}`;
  if (bad.length > 0) throw new ModelError("corrupt", `${m.name} is corrupt: ${bad.map(describe).join("; ")}`);
  return { status: r.status, files: r.verdicts.length, verified: r.verdicts.filter((v) => v.status === "verified").length };
}
