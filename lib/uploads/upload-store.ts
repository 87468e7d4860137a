import { createHash, randomBytes, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { config } from "../config/env";
import { ensureFreeSpace } from "../download/disk-space";
import { OffsetError, UploadError } from "./errors";

// Browser uploads land in the web process's own model store, `<DATA_DIR>/uploads/<id>.partial` beside a
// `<id>.json` that says what is being uploaded and by whom. Only a complete, validated file is renamed into
// gguf/<name>/ (lib/uploads/complete-upload.ts), so nothing half-written is ever under a model's folder.

export const UPLOAD_ID = /^[0-9a-f]{24}$/;
/** Safe as a model name, a folder name and a file name (no separators, no leading dot). */
export const MODEL_NAME = /^[A-Za-z0-9][\w.-]{0,127}$/;

const metaSchema = z.object({
  id: z.string().regex(UPLOAD_ID),
  name: z.string().regex(MODEL_NAME),
  fileName: z.string(),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** One file of a checkpoint folder upload (lib/uploads/folder-upload.ts), completed with its folder only. */
  folderId: z.string().regex(UPLOAD_ID).optional(),
  ownerId: z.string(),
  createdAt: z.string(),
});
export type UploadMeta = z.infer<typeof metaSchema>;

export type UploadDto = Omit<UploadMeta, "ownerId"> & { offset: number; complete: boolean };

export const uploadsDir = () => path.join(config().dataDir, "uploads");
export const partialFile = (id: string) => path.join(uploadsDir(), `${id}.partial`);
const metaFile = (id: string) => path.join(uploadsDir(), `${id}.json`);
/** A folder upload's record; its files are uploads of their own (`folderId`). */
export const folderFile = (id: string) => path.join(uploadsDir(), `${id}.folder.json`);

/**
 * The running sha256 of each upload's received bytes, kept in memory while its chunks arrive, and whether a chunk is
 * being written now. Node cannot serialise a hash's state, so after a restart (or an interrupted write) the
 * received prefix is hashed again from disk on the next chunk: `hashed` is how many bytes `hash` has seen.
 * On globalThis: Next.js may load this module once per route bundle.
 */
type Live = { hash: Hash; hashed: number; busy: boolean };
const live: Map<string, Live> = ((globalThis as { __depotUploads?: Map<string, Live> }).__depotUploads ??= new Map());

export async function readMeta(id: string): Promise<UploadMeta | null> {
  if (!UPLOAD_ID.test(id)) return null;
  const text = await readFile(metaFile(id), "utf8").catch(() => null);
  return text === null ? null : metaSchema.parse(JSON.parse(text));
}

const sizeOf = (file: string) => stat(file).then((s) => s.size, () => 0);

/** The upload, when `user` may see it (its owner, or an admin); others get the same 404 as for an unknown id. */
export async function getUpload(id: string, user: { id: string; role: string }): Promise<UploadMeta> {
  const m = await readMeta(id);
  if (!m || (m.ownerId !== user.id && user.role !== "admin")) throw new UploadError("not_found", `upload ${id} not found`);
  return m;
}

export async function uploadDto(m: UploadMeta): Promise<UploadDto> {
  const offset = await sizeOf(partialFile(m.id));
  const { ownerId: _owner, ...rest } = m;
  return { ...rest, offset, complete: offset === m.size };
}

/** Starts an upload: refuses sizes over UPLOAD_MAX_BYTES and names a model already has, before any byte is stored. */
export async function createUpload(params: {
  fileName: string;
  size: number;
  name?: string;
  sha256?: string;
  folderId?: string;
  ownerId: string;
  nameTaken: (name: string) => Promise<boolean>;
}): Promise<UploadMeta> {
  const max = config().UPLOAD_MAX_BYTES;
  if (params.size > max) throw new UploadError("too_large", `${params.fileName} is ${params.size} bytes, over the upload limit of ${max} bytes (UPLOAD_MAX_BYTES)`);
  const name = params.name ?? path.basename(params.fileName).replace(/\.gguf$/i, "").replace(/[^\w.-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  if (!MODEL_NAME.test(name)) throw new UploadError("invalid_name", `"${name}" is not a usable model name: letters, digits, . _ - (up to 128)`);
  if (await params.nameTaken(name)) throw new UploadError("exists", `a model named ${name} is already in the inventory`);
  const meta: UploadMeta = { id: randomBytes(12).toString("hex"), name, fileName: params.fileName, size: params.size, sha256: params.sha256, folderId: params.folderId, ownerId: params.ownerId, createdAt: new Date().toISOString() };
  await mkdir(uploadsDir(), { recursive: true });
  // The web's own sweep: with remote workers no garbage collection job may run on this DATA_DIR.
  for (const f of await abandonedUploads(Date.now())) await rm(f.path, { recursive: true, force: true });
  // Room for this file and for the rest of every upload still open, so parallel uploads cannot overfill the disk.
  const others = await Promise.all((await readdir(uploadsDir())).filter((f) => f.endsWith(".json")).map((f) => readMeta(f.slice(0, -5)).catch(() => null)));
  const promised = (await Promise.all(others.map(async (o) => (o ? o.size - (await sizeOf(partialFile(o.id))) : 0)))).reduce((a, b) => a + b, 0);
  await ensureFreeSpace({ dir: uploadsDir(), needBytes: params.size + promised }).catch((err: Error) => {
    throw new UploadError("no_space", `${params.fileName}: ${err.message}${promised > 0 ? ` (counting the ${promised} bytes still due for uploads in progress)` : ""}`);
  });
  await writeFile(partialFile(meta.id), "", { flag: "wx" });
  await writeFile(metaFile(meta.id), JSON.stringify(meta));
  return meta;
}

/** Hashes the first `bytes` of the partial file into a fresh hash (resume after a restart or a broken write). */
async function rehash(file: string, bytes: number): Promise<Hash> {
  const hash = createHash("sha256");
  if (bytes === 0) return hash;
  for await (const chunk of createReadStream(file, { start: 0, end: bytes - 1 })) hash.update(chunk as Buffer);
  return hash;
}

const conflict = (offset: number, message: string) => new OffsetError("offset_mismatch", message, offset);

/**
 * Appends one chunk that must start exactly at the bytes received so far (`start`) and not pass the declared size.
 * Bytes go to disk and into the hash as they arrive, so a connection cut mid-chunk keeps what arrived; the caller
 * asks for the offset and sends the rest. One chunk at a time per upload: a second is refused while one is written.
 */
export async function appendChunk(m: UploadMeta, start: number, end: number, body: ReadableStream<Uint8Array>): Promise<number> {
  const file = partialFile(m.id);
  const offset = await sizeOf(file);
  const known = live.get(m.id);
  if (known?.busy) throw conflict(offset, `a chunk of upload ${m.id} is being written now; retry once it ended`);
  if (start !== offset) throw conflict(offset, `chunk starts at byte ${start}, but upload ${m.id} has ${offset} bytes: send from ${offset}`);
  if (end > m.size) throw new UploadError("beyond_size", `chunk ends at byte ${end}, past the declared size ${m.size} of ${m.fileName}`);
  // Claimed before the first await, so a second request for this upload sees it busy.
  const state: Live = known && known.hashed === offset ? known : { hash: createHash("sha256"), hashed: -1, busy: true };
  state.busy = true;
  live.set(m.id, state);
  try {
    if (state.hashed !== offset) {
      state.hash = await rehash(file, offset);
      state.hashed = offset;
    }
    const fh = await open(file, "r+");
    try {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (state.hashed + value.byteLength > end) {
          await reader.cancel();
          throw new UploadError("chunk_too_long", `chunk sends more than the ${end - start} bytes its Content-Range declares`);
        }
        await fh.write(value, 0, value.byteLength, state.hashed);
        state.hash.update(value);
        state.hashed += value.byteLength;
      }
    } finally {
      await fh.close();
    }
    return state.hashed;
  } finally {
    // Whatever happened, the file holds exactly the hashed bytes: a write that threw part-way is cut off.
    if (state.hashed < 0) live.delete(m.id);
    else if ((await sizeOf(file)) !== state.hashed) await truncate(file, state.hashed).catch(() => live.delete(m.id));
    state.busy = false;
    await utimes(metaFile(m.id), new Date(), new Date()).catch(() => {});
    // A folder stays alive while any of its files receives bytes.
    if (m.folderId) await utimes(folderFile(m.folderId), new Date(), new Date()).catch(() => {});
  }
}

/**
 * The sha256 of the whole received file (from the running hash, or read again if this process lost it). The upload
 * stays claimed, so no chunk or second completion runs while it is validated, until `release` or `removeUpload`.
 */
export async function finalDigest(m: UploadMeta): Promise<{ sha256: string; release: () => void }> {
  const state = live.get(m.id);
  if (state?.busy) throw conflict(m.size, `upload ${m.id} is busy: a chunk is being written or it is being completed`);
  const claim: Live = { hash: createHash("sha256"), hashed: -1, busy: true };
  live.set(m.id, claim);
  try {
    const size = await sizeOf(partialFile(m.id));
    const hash = state && state.hashed === size ? state.hash : await rehash(partialFile(m.id), size);
    return { sha256: hash.digest("hex"), release: () => void (live.get(m.id) === claim && live.delete(m.id)) };
  } catch (err) {
    live.delete(m.id);
    throw err;
  }
}

/** Removes the upload's files (cancel, failed validation, or after the file was moved into a model's folder). */
export async function removeUpload(id: string): Promise<void> {
  live.delete(id);
  await rm(partialFile(id), { force: true });
  await rm(metaFile(id), { force: true });
}

/** Moves the complete file to its place in the store (same file system: an atomic rename) and forgets the upload. */
export async function moveUpload(id: string, target: string): Promise<void> {
  await rename(partialFile(id), target);
  await removeUpload(id);
}

/** Uploads no chunk reached for UPLOAD_EXPIRE_HOURS, and stray files in uploads/ (for the garbage collection). */
export async function abandonedUploads(now: number): Promise<{ path: string; bytes: number }[]> {
  const dir = uploadsDir();
  const maxAge = config().UPLOAD_EXPIRE_HOURS * 3600_000;
  const out: { path: string; bytes: number }[] = [];
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const id = f.replace(/\.(json|partial)$/, "");
    const meta = path.join(dir, `${id}.json`);
    const touched = await stat(meta).then((s) => s.mtimeMs, () => null);
    const own = await stat(path.join(dir, f)).then((s) => s, () => null);
    if (!own) continue;
    // A file of a folder upload lives as long as its folder, which any chunk of the folder's files touches.
    const folderId = touched === null ? undefined : (await readMeta(id).catch(() => null))?.folderId;
    const folderTouched = folderId ? await stat(folderFile(folderId)).then((s) => s.mtimeMs, () => 0) : 0;
    // A file without its .json is a leftover; the .json's time is the upload's last activity.
    if (now - Math.max(touched ?? own.mtimeMs, folderTouched) > maxAge) out.push({ path: path.join(dir, f), bytes: own.size });
  }
  return out;
}
