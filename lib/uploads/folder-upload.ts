import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { config } from "../config/env";
import { UploadError } from "./errors";
import { isCheckpointFile } from "./upload-client";
import { createUpload, folderFile, MODEL_NAME, readMeta, removeUpload, UPLOAD_ID, uploadDto, uploadsDir, type UploadDto } from "./upload-store";

// A checkpoint folder uploaded from the browser: one upload per file (the same chunked, resumable protocol as a GGUF,
// PUT /api/uploads/<file id>), tied together by `<id>.folder.json`. Completing the folder validates and registers
// it (lib/uploads/complete-folder.ts); until then nothing of it is outside uploads/.

export const SAFETENSORS_FILE = /\.safetensors$/;
export const TORCH_FILE = /^(pytorch_model(-\d+-of-\d+)?\.bin|consolidated\.\d+\.pth)$/;
const MAX_FILES = 256;

/** `hf`: config.json and HF weights, registered like a Hub download; `meta`: params.json and consolidated.*.pth. */
export type CheckpointForm = "hf" | "meta";

const folderSchema = z.object({
  id: z.string().regex(UPLOAD_ID),
  name: z.string().regex(MODEL_NAME),
  form: z.enum(["hf", "meta"]),
  ownerId: z.string(),
  createdAt: z.string(),
  files: z.array(z.object({ uploadId: z.string().regex(UPLOAD_ID), fileName: z.string() })),
});
export type FolderMeta = z.infer<typeof folderSchema>;
export type FolderDto = { id: string; name: string; form: CheckpointForm; size: number; offset: number; complete: boolean; files: UploadDto[] };

const refuse = (message: string): never => {
  throw new UploadError("invalid_checkpoint", message);
};

/**
 * What the file names alone decide, before any byte is stored: plain names from the allow-list, once each, and a
 * config, weights and a tokenizer of one form. The contents are checked when the folder is completed.
 */
export function checkpointForm(names: string[]): CheckpointForm {
  for (const n of names) {
    if (n !== path.posix.basename(n) || n.includes("\\") || n.includes("\0") || n === "." || n === "..") {
      throw new UploadError("invalid_name", `${JSON.stringify(n)} is not a plain file name: a folder upload takes the files of one folder, without paths`);
    }
    if (!isCheckpointFile(n)) throw new UploadError("invalid_name", `${JSON.stringify(n)} is not a checkpoint file (config, tokenizer, *.safetensors, pytorch_model*.bin, consolidated.*.pth, params.json …)`);
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UploadError("invalid_name", `${dup} is listed twice`);
  const has = (re: RegExp) => names.some((n) => re.test(n));
  if (names.includes("config.json")) {
    if (!has(SAFETENSORS_FILE) && !has(/^pytorch_model.*\.bin$/)) refuse("no weights: a folder with config.json needs *.safetensors or pytorch_model*.bin files");
    if (!has(/^tokenizer\.(model|json)$/)) refuse("no tokenizer: a folder with config.json needs tokenizer.model or tokenizer.json");
    return "hf";
  }
  if (names.includes("params.json")) {
    if (!has(/^consolidated\.\d+\.pth$/)) refuse("no weights: a Meta folder with params.json needs consolidated.*.pth files");
    if (!names.includes("tokenizer.model")) refuse("no tokenizer: a Meta folder needs tokenizer.model");
    return "meta";
  }
  return refuse("no config: the folder needs config.json (Hugging Face form) or params.json (Meta form)");
}

/** Starts a folder upload: names, form, total size and model name are checked before any file upload exists. */
export async function createFolderUpload(params: {
  name: string;
  files: { fileName: string; size: number; sha256?: string }[];
  ownerId: string;
  nameTaken: (name: string) => Promise<boolean>;
}): Promise<FolderMeta> {
  if (params.files.length === 0 || params.files.length > MAX_FILES) refuse(`a folder upload takes 1 to ${MAX_FILES} files, not ${params.files.length}`);
  const form = checkpointForm(params.files.map((f) => f.fileName));
  const total = params.files.reduce((s, f) => s + f.size, 0);
  const max = config().UPLOAD_MAX_BYTES;
  if (total > max) throw new UploadError("too_large", `the folder's files total ${total} bytes, over the upload limit of ${max} bytes (UPLOAD_MAX_BYTES)`);
  if (!MODEL_NAME.test(params.name)) throw new UploadError("invalid_name", `"${params.name}" is not a usable model name: letters, digits, . _ - (up to 128)`);
  if (await params.nameTaken(params.name)) throw new UploadError("exists", `a model named ${params.name} is already in the inventory`);

  const id = randomBytes(12).toString("hex");
  const files: FolderMeta["files"] = [];
  try {
    // One after the other: each counts the bytes still due for the earlier ones in its free-space check.
    for (const f of params.files) {
      const m = await createUpload({ ...f, name: params.name, folderId: id, ownerId: params.ownerId, nameTaken: params.nameTaken });
      files.push({ uploadId: m.id, fileName: m.fileName });
    }
    const meta: FolderMeta = { id, name: params.name, form, ownerId: params.ownerId, createdAt: new Date().toISOString(), files };
    await writeFile(folderFile(id), JSON.stringify(meta));
    return meta;
  } catch (err) {
    for (const f of files) await removeUpload(f.uploadId);
    throw err;
  }
}

/** The folder upload, when `user` may see it (its owner, or an admin); others get the 404 of an unknown id. */
export async function getFolderUpload(id: string, user: { id: string; role: string }): Promise<FolderMeta> {
  const text = UPLOAD_ID.test(id) ? await readFile(folderFile(id), "utf8").catch(() => null) : null;
  const f = text === null ? null : folderSchema.parse(JSON.parse(text));
  if (!f || (f.ownerId !== user.id && user.role !== "admin")) throw new UploadError("not_found", `folder upload ${id} not found`);
  return f;
}

export async function folderDto(f: FolderMeta): Promise<FolderDto> {
  const files = await Promise.all(
    f.files.map(async (x) => {
      const m = await readMeta(x.uploadId);
      // A file the garbage collection swept counts as not started; completing the folder then names it.
      return m ? uploadDto(m) : { id: x.uploadId, name: f.name, fileName: x.fileName, size: 0, offset: 0, complete: false, createdAt: f.createdAt };
    }),
  );
  const size = files.reduce((s, x) => s + x.size, 0);
  const offset = files.reduce((s, x) => s + x.offset, 0);
  return { id: f.id, name: f.name, form: f.form, size, offset, complete: files.every((x) => x.complete), files };
}

/** The folder's temporary folder, where its files are put together under their own names before the move. */
export const stagingDir = (id: string) => path.join(uploadsDir(), `${id}.staging`);

/** Deletes everything of the folder upload: its files' bytes and records, the staging folder, its own record. */
export async function removeFolderUpload(f: FolderMeta): Promise<void> {
  for (const x of f.files) await removeUpload(x.uploadId);
  await rm(stagingDir(f.id), { recursive: true, force: true });
  await rm(folderFile(f.id), { force: true });
}
