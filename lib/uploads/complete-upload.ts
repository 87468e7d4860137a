import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { db } from "../db/prisma";
import { GgufError, inspectGguf } from "../gguf";
import { ggufDir, modelDir } from "../stores/paths";
import { recordModelFiles } from "../models/record-model-files";
import { recordLocalReplica } from "../stores/replicas";
import { OffsetError, UploadError } from "./errors";
import { finalDigest, moveUpload, partialFile, removeUpload, type UploadMeta } from "./upload-store";

/**
 * Finishes an upload: every byte received, the file a valid GGUF (header, metadata, tensor table, every tensor's
 * data inside the file: lib/gguf/reader.ts), the streamed sha256 equal to the one the client declared (if any).
 * Then the file is renamed into gguf/<name>/<name>.gguf and registered as a verified `gguf` model held by this
 * process's store. A file that fails a check is deleted with the upload: the client starts over.
 */
export async function completeUpload(m: UploadMeta, received: number): Promise<{ modelId: string; sha256: string; bytes: number }> {
  if (m.folderId) throw new UploadError("in_folder", `${m.fileName} is part of folder upload ${m.folderId}: complete the folder`);
  if (received !== m.size) {
    throw new OffsetError("incomplete", `${m.fileName}: ${received} of ${m.size} bytes received; send the rest first`, received);
  }
  const { sha256, release } = await finalDigest(m);
  try {
    return await register(m, sha256);
  } finally {
    release();
  }
}

async function register(m: UploadMeta, sha256: string): Promise<{ modelId: string; sha256: string; bytes: number }> {
  const refuse = async (message: string): Promise<never> => {
    await removeUpload(m.id);
    throw new UploadError("invalid_gguf", message);
  };
  if (m.sha256 && m.sha256 !== sha256) await refuse(`${m.fileName}: sha256 of the received bytes is ${sha256}, the client declared ${m.sha256}; upload it again`);
  const facts = await inspectGguf({ file: partialFile(m.id), arrayPreview: 0 }).catch(async (err: unknown) => {
    // The reader names the temporary file; the user knows the file by the name they picked.
    if (err instanceof GgufError) return refuse(`${m.fileName} is not a usable GGUF: ${err.message.slice(err.file.length + 2)}`);
    throw err;
  });
  if (await db().model.findUnique({ where: { name: m.name } })) {
    await removeUpload(m.id);
    throw new UploadError("exists", `a model named ${m.name} was added while ${m.fileName} was uploading; upload it under another name`);
  }

  const directory = ggufDir(m.name);
  const fileName = `${m.name}.gguf`;
  const dir = modelDir(directory);
  // A folder left by a deleted model of the same name would mix files: refuse rather than merge (GC removes it).
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
    await removeUpload(m.id);
    throw new UploadError("exists", `${directory} already exists in the model store (left by a deleted model?); run the garbage collection or pick another name`);
  });
  await moveUpload(m.id, path.join(dir, fileName));
  let modelId: string | undefined;
  try {
    const model = await db().model.create({
      data: { name: m.name, source: "upload", format: "gguf", status: "pending", directory, createdById: m.ownerId, parameterCount: BigInt(facts.parameterCount) },
    });
    modelId = model.id;
    const meta = facts.metadata.reduce<Record<string, unknown>>((acc, e) => ({ ...acc, [e.key]: e.value ?? e.length }), {});
    const rec = await recordModelFiles({
      modelId: model.id,
      files: [{ path: fileName, bytes: m.size, sha256, expectedSha256: sha256, expectedBytes: m.size }],
      metadata: {
        source: `upload of ${m.fileName}`,
        architecture: facts.architecture,
        fileType: facts.fileType,
        tensorCount: facts.tensors.length,
        parameterCount: facts.parameterCount,
        contextLength: facts.architecture ? (meta[`${facts.architecture}.context_length`] ?? null) : null,
        ggufName: facts.name,
      },
    });
    await recordLocalReplica(model.id, rec.bytes);
    return { modelId: model.id, sha256, bytes: m.size };
  } catch (err) {
    // Registration failed: the moved file must not stay behind without its model.
    if (modelId) await db().model.delete({ where: { id: modelId } }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
