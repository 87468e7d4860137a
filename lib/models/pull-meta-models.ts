import { readFile } from "node:fs/promises";
import path from "node:path";
import { db } from "../db/prisma";
import type { DownloadPayload, JobProgress } from "../queue/payloads";
import { findMetaModel, metaFamily, pullMeta, type MetaFileResult } from "../sources/meta";
import { recordLocalReplica } from "../stores/replicas";
import { jobFailure, ModelError } from "./errors";
import { createFileProgress, lastProgress } from "./file-progress";
import { modelDir } from "../stores/paths";
import { recordModelFiles, type FileFacts } from "./record-model-files";
import { watchCredential } from "./watch-credential";

type MetaPayload = Extract<DownloadPayload, { source: "meta" }>;

/** The files of one catalog model inside its download root: shared files (Llama 2's) plus its own folder. */
function filesOf(familyId: string, modelId: string, all: MetaFileResult[]): MetaFileResult[] {
  const family = metaFamily(familyId);
  const model = findMetaModel(family, modelId);
  if (!model) return [];
  const shared = new Set([...family.shared, ...Object.keys(family.sharedChecklists)]);
  return all.filter((f) => shared.has(f.path) || f.path.startsWith(`${model.folder}/`));
}

/** params.json (dim, layers, heads…) for the detail view; a file that does not parse is simply not shown. */
async function readParams(root: string, folder: string): Promise<unknown> {
  return readFile(path.join(root, folder, "params.json"), "utf8").then((t) => JSON.parse(t) as unknown, () => null);
}

const facts = (f: MetaFileResult): FileFacts => ({
  path: f.path,
  bytes: f.bytes,
  md5: f.md5,
  sha256: f.sha256,
  ...(f.expectedMd5 ? { expectedMd5: f.expectedMd5 } : {}),
});

/**
 * Worker side of a Meta download: decrypts the signed link (re-read while running, so a pasted new link is used
 * by the next request), pulls the model set into its download root, and registers every file with its md5/sha256
 * and checklist verdict. A checksum mismatch leaves the model `corrupt` and fails the job with both values.
 */
export async function pullMetaModels(params: {
  data: MetaPayload;
  progress: (p: JobProgress) => Promise<void>;
  signal: AbortSignal;
  /** The job's id, whose last recorded progress a resumed run starts from. */
  jobId?: string;
}): Promise<{ models: { id: string; name: string; status: string }[] }> {
  const { data } = params;
  const rows = await db().model.findMany({ where: { id: { in: data.modelIds } } });
  const first = rows[0];
  if (rows.length !== data.modelIds.length || !first) throw new ModelError("not_found", "a model of this download was deleted; start the download again");
  await db().model.updateMany({ where: { id: { in: data.modelIds } }, data: { status: "downloading" } });

  const link = await watchCredential({ id: data.credentialId });
  const progress = createFileProgress({ report: params.progress, message: `Meta ${data.models.join(", ")}`, previous: await lastProgress(params.jobId) });
  let files: MetaFileResult[];
  try {
    const result = await pullMeta({
      signedUrl: link.current,
      models: data.models,
      family: data.family,
      destDir: modelDir(first.directory),
      signal: params.signal,
      onProgress: (p) => progress.update(p),
    });
    files = result.files;
  } catch (err) {
    // Paused (cancelled) downloads wait for a resume; anything else needs attention.
    await db().model.updateMany({ where: { id: { in: data.modelIds } }, data: { status: params.signal.aborted ? "pending" : "failed" } });
    throw jobFailure(err, params.signal);
  } finally {
    link.stop();
    await progress.flush();
  }

  const out: { id: string; name: string; status: string }[] = [];
  const problems: string[] = [];
  for (const [i, catalogId] of data.models.entries()) {
    const row = rows.find((r) => r.id === data.modelIds[i]);
    if (!row) continue;
    const mine = filesOf(data.family, catalogId, files);
    const r = await recordModelFiles({ modelId: row.id, files: mine.map(facts), metadata: { params: await readParams(modelDir(row.directory), row.name) } });
    out.push({ id: row.id, name: row.name, status: r.status });
    if (r.status !== "corrupt") await recordLocalReplica(row.id, r.bytes);
    for (const v of r.verdicts) if (v.status === "corrupt") problems.push(`${v.path}: ${v.error}`);
  }
  if (problems.length > 0) {
    throw new ModelError("corrupt", `checksum verification failed, files marked corrupt: ${problems.join("; ")}`);
  }
  return { models: out };
}
