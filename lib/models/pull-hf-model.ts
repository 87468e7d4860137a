import { readFile } from "node:fs/promises";
import path from "node:path";
import { config } from "../config/env";
import { readCredential } from "../credentials/read-credential";
import { db } from "../db/prisma";
import type { DownloadPayload, JobProgress } from "../queue/payloads";
import { describeGguf } from "../gguf";
import { ggufUnits, pullHf, type HfFileResult, type PullHfResult } from "../sources/hf";
import { heldElsewhere, recordLocalReplica } from "../stores/replicas";
import { jobFailure, ModelError } from "./errors";
import { createFileProgress, lastProgress } from "./file-progress";
import { hfHome, storePath } from "../stores/paths";
import { recordModelFiles, type FileFacts } from "./record-model-files";

type HfPayload = Extract<DownloadPayload, { source: "hf" }>;

/** LFS blobs are named by their sha256, which the engine checked while streaming; other files are size-checked only. */
function fileFacts(f: HfFileResult): FileFacts {
  const blob = path.basename(f.blobPath);
  return { path: f.path, bytes: f.bytes, sha256: f.sha256, ...(/^[0-9a-f]{64}$/.test(blob) ? { expectedSha256: blob } : {}) };
}

/**
 * Worker side of a Hugging Face download: decrypts the token credential if the job has one (the token goes to the
 * hub origin only), pulls the selected files into the hub cache under DATA_DIR/hf, and registers the snapshot as
 * the model's directory with each file's sha256 verdict.
 */
export async function pullHfModel(params: {
  data: HfPayload;
  progress: (p: JobProgress) => Promise<void>;
  signal: AbortSignal;
  /** The job's id, whose last recorded progress a resumed run starts from. */
  jobId?: string;
}): Promise<{ model: { id: string; name: string; status: string }; commit: string }> {
  const { data } = params;
  const modelId = data.modelIds[0]!;
  const model = await db().model.findUnique({ where: { id: modelId } });
  if (!model) throw new ModelError("not_found", "the model of this download was deleted; start the download again");
  const copy = await heldElsewhere(modelId);
  if (!copy) await db().model.update({ where: { id: modelId }, data: { status: "downloading" } });
  const token = data.credentialId ? (await readCredential(data.credentialId)).value : undefined;
  const progress = createFileProgress({ report: params.progress, message: `${data.repo}@${data.revision}`, previous: await lastProgress(params.jobId) });
  let result;
  try {
    result = await pullHf({
      repo: data.repo,
      revision: data.revision,
      token,
      include: data.include,
      exclude: data.exclude,
      quant: data.quant,
      hubUrl: config().HF_ENDPOINT,
      hfHome: hfHome(),
      signal: params.signal,
      onProgress: (p) => progress.update(p),
    });
  } catch (err) {
    // The engine discards mismatching bytes; the model is marked corrupt and the job's error names both sha256s.
    const mismatch = (err as { code?: string }).code === "checksum_mismatch";
    const status = params.signal.aborted ? "pending" : mismatch ? "corrupt" : "failed";
    if (!copy || mismatch) await db().model.update({ where: { id: modelId }, data: { status } });
    throw jobFailure(err, params.signal);
  } finally {
    await progress.flush();
  }
  await db().model.update({ where: { id: modelId }, data: { directory: storePath(result.snapshotDir), revision: data.revision } });
  if (model.format === "gguf") {
    const status = await registerHubGguf({ modelId, name: model.name, result, copy });
    return { model: { id: modelId, name: model.name, status }, commit: result.commit };
  }
  await db().modelFile.deleteMany({ where: { modelId, path: { notIn: result.files.map((f) => f.path) } } });
  const hparams = await readFile(path.join(result.snapshotDir, "config.json"), "utf8").then((t) => JSON.parse(t) as unknown, () => null);
  const r = await recordModelFiles({ modelId, files: result.files.map(fileFacts), metadata: { commit: result.commit, gated: result.gated, config: hparams } });
  if (r.status !== "corrupt") await recordLocalReplica(modelId, r.bytes);
  return { model: { id: modelId, name: model.name, status: r.status }, commit: result.commit };
}

/**
 * A ready-made GGUF from the Hub: the model's files are the one GGUF (or split set) it pulled, in the snapshot other
 * GGUFs of the repo may share; its header is read (and validated) for the inventory. A file llama.cpp cannot read
 * fails the job as corrupt, with the reader's message.
 */
async function registerHubGguf(params: { modelId: string; name: string; result: PullHfResult; copy: boolean }): Promise<string> {
  const { modelId, result } = params;
  // A copy for another store leaves the status the first store's files earned.
  const fail = (status: string) => (params.copy ? Promise.resolve() : db().model.update({ where: { id: modelId }, data: { status } }).then(() => {}));
  const units = ggufUnits(result.files.map((f) => ({ ...f, size: f.bytes })));
  if (units.length !== 1) {
    await fail("failed");
    throw new ModelError("no_gguf", `${params.name}: the selection holds ${units.length} GGUFs (${units.map((u) => u.stem).join(", ") || "none"}); pick exactly one`);
  }
  const files = units[0]!.files;
  let facts;
  try {
    facts = await describeGguf({ files: files.map((f) => path.join(result.snapshotDir, f.path)) });
  } catch (err) {
    await fail("corrupt");
    throw new ModelError("corrupt", `${params.name}: ${(err as Error).message}`);
  }
  await db().modelFile.deleteMany({ where: { modelId, path: { notIn: files.map((f) => f.path) } } });
  await db().model.update({ where: { id: modelId }, data: { parameterCount: BigInt(facts.parameterCount) } });
  const r = await recordModelFiles({ modelId, files: files.map(fileFacts), metadata: { commit: result.commit, gated: result.gated, ...facts } });
  if (r.status !== "corrupt") await recordLocalReplica(modelId, r.bytes);
  return r.status;
}
