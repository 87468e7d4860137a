import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { ConvertError } from "../convert";
import { readPytorchZip } from "../convert/readers/pytorch-zip";
import { readSafetensors } from "../convert/readers/safetensors";
import { db } from "../db/prisma";
import { recordModelFiles } from "../models/record-model-files";
import { modelDir } from "../stores/paths";
import { recordLocalReplica } from "../stores/replicas";
import { UploadError } from "./errors";
import { removeFolderUpload, SAFETENSORS_FILE, stagingDir, TORCH_FILE, type FolderMeta } from "./folder-upload";
import { finalDigest, folderFile, partialFile, readMeta, removeUpload, uploadDto, type UploadMeta } from "./upload-store";

/** An uploaded checkpoint's folder in the store: `checkpoints/<name>` (a Meta one holds `<name>/`, as Meta's layout). */
const checkpointDir = (name: string) => path.join("checkpoints", name);

type Received = { m: UploadMeta; sha256: string };

/**
 * Finishes a folder upload: every file received in full and equal to the sha256 its client declared (if any), the
 * files a checkpoint the converter can read (config.json or params.json parses, every weight file's tensor table
 * lies inside the file, a shard index names only uploaded shards). The files are then put together in a staging
 * folder and that folder renamed into the store in one step, and registered as a verified `hf` or `meta` model, as
 * a Hub or Meta download registers one (so Convert works on it). A folder that fails a check is deleted entirely.
 */
export async function completeFolderUpload(f: FolderMeta): Promise<{ modelId: string; bytes: number; files: { path: string; sha256: string }[] }> {
  const metas = await Promise.all(f.files.map((x) => readMeta(x.uploadId)));
  const missing: string[] = [];
  for (const [i, m] of metas.entries()) {
    const offset = m ? (await uploadDto(m)).offset : 0;
    if (!m || offset !== m.size) missing.push(`${f.files[i]!.fileName} (${offset} of ${m?.size ?? "?"} bytes)`);
  }
  if (missing.length > 0) throw new UploadError("incomplete", `${f.name}: not every file has arrived: ${missing.join(", ")}; send the rest first`);

  const received: Received[] = [];
  const releases: (() => void)[] = [];
  try {
    for (const m of metas as UploadMeta[]) {
      const d = await finalDigest(m);
      releases.push(d.release);
      received.push({ m, sha256: d.sha256 });
    }
    try {
      await validate(f, received);
    } catch (err) {
      if (err instanceof UploadError) await removeFolderUpload(f);
      throw err;
    }
    return await register(f, received);
  } finally {
    for (const r of releases) r();
  }
}

/** The checks on the received bytes; messages name the files as the user picked them, never the server's paths. */
async function validate(f: FolderMeta, files: Received[]): Promise<void> {
  const fail = (message: string): never => {
    throw new UploadError("invalid_checkpoint", `${f.name}: ${message}`);
  };
  const byName = new Map(files.map((r) => [r.m.fileName, r.m]));
  for (const { m, sha256 } of files) {
    if (m.sha256 && m.sha256 !== sha256) fail(`${m.fileName}: sha256 of the received bytes is ${sha256}, the client declared ${m.sha256}; upload it again`);
  }
  const json = async (name: string): Promise<Record<string, unknown>> => {
    const text = await readFile(partialFile(byName.get(name)!.id), "utf8");
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      fail(`${name} is not valid JSON (${(err as Error).message})`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) fail(`${name} is not a JSON object`);
    return v as Record<string, unknown>;
  };
  await json(f.form === "hf" ? "config.json" : "params.json");
  if (byName.has("model.safetensors.index.json")) {
    const map = (await json("model.safetensors.index.json")).weight_map;
    if (typeof map !== "object" || map === null) fail("model.safetensors.index.json has no weight_map");
    for (const shard of new Set(Object.values(map as Record<string, unknown>).map(String))) {
      if (!byName.has(shard)) fail(`model.safetensors.index.json names ${shard}, which is not among the uploaded files`);
    }
  }
  for (const m of byName.values()) {
    const file = partialFile(m.id);
    const read = SAFETENSORS_FILE.test(m.fileName) ? readSafetensors : TORCH_FILE.test(m.fileName) ? readPytorchZip : null;
    if (!read) continue;
    await read({ file }).catch((err: unknown) => {
      if (!(err instanceof ConvertError)) throw err;
      return fail(`${m.fileName} is not a usable checkpoint file: ${err.message.slice(file.length + 2)}`);
    });
  }
}

async function register(f: FolderMeta, files: Received[]): Promise<{ modelId: string; bytes: number; files: { path: string; sha256: string }[] }> {
  const refuse = async (message: string): Promise<never> => {
    await removeFolderUpload(f);
    throw new UploadError("exists", message);
  };
  if (await db().model.findUnique({ where: { name: f.name } })) await refuse(`a model named ${f.name} was added while the folder was uploading; upload it under another name`);
  const directory = checkpointDir(f.name);
  const target = modelDir(directory);
  if (await stat(target).then(() => true, () => false)) {
    await refuse(`${directory} already exists in the model store (left by a deleted model?); run the garbage collection or pick another name`);
  }
  // Meta's layout: the model's own folder inside its download root, which convert-to-gguf.ts reads by the model's name.
  const prefix = f.form === "meta" ? `${f.name}/` : "";
  const staging = stagingDir(f.id);
  await rm(staging, { recursive: true, force: true });
  await mkdir(path.join(staging, prefix), { recursive: true });
  for (const { m } of files) await rename(partialFile(m.id), path.join(staging, prefix, m.fileName));
  await mkdir(path.dirname(target), { recursive: true });
  await rename(staging, target);
  for (const { m } of files) await removeUpload(m.id);
  await rm(folderFile(f.id), { force: true });

  let modelId: string | undefined;
  try {
    const config = await readFile(path.join(target, prefix, f.form === "hf" ? "config.json" : "params.json"), "utf8").then((t) => JSON.parse(t) as unknown);
    const model = await db().model.create({ data: { name: f.name, source: "upload", format: f.form, status: "pending", directory, createdById: f.ownerId } });
    modelId = model.id;
    const rec = await recordModelFiles({
      modelId: model.id,
      files: files.map(({ m, sha256 }) => ({ path: `${prefix}${m.fileName}`, bytes: m.size, sha256, expectedSha256: m.sha256 ?? sha256, expectedBytes: m.size })),
      // The keys a Hub (config) or Meta (params) download records, so the detail page summarises it the same way.
      metadata: { source: `upload of a ${f.form === "hf" ? "Hugging Face" : "Meta"} checkpoint folder`, [f.form === "hf" ? "config" : "params"]: config },
    });
    await recordLocalReplica(model.id, rec.bytes);
    return { modelId: model.id, bytes: rec.bytes, files: files.map(({ m, sha256 }) => ({ path: `${prefix}${m.fileName}`, sha256 })) };
  } catch (err) {
    // Registration failed: the moved folder must not stay behind without its model.
    if (modelId) await db().model.delete({ where: { id: modelId } }).catch(() => {});
    await rm(target, { recursive: true, force: true });
    throw err;
  }
}
