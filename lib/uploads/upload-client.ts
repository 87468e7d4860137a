// The client side of the upload protocol (app/api/uploads), shared by the Models page and the tests: no Node APIs.

/** Fits UPLOAD_CHUNK_LIMIT (lib/http/route.ts) with room to spare. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The files a Llama checkpoint folder holds (Hugging Face or Meta form), matched by exact name: the page leaves the
 * rest of a picked folder out (README, licence, .gitattributes, subfolders) and the server refuses it.
 */
const CHECKPOINT_FILES: readonly RegExp[] = [
  /^(config|generation_config|params|tokenizer|tokenizer_config|special_tokens_map|added_tokens|model\.safetensors\.index|pytorch_model\.bin\.index)\.json$/,
  /^tokenizer\.model$/,
  /^chat_template\.jinja$/,
  /^(tokenizer_)?checklist\.chk$/,
  /^model(-\d+-of-\d+)?\.safetensors$/,
  /^pytorch_model(-\d+-of-\d+)?\.bin$/,
  /^consolidated\.\d+\.pth$/,
];
export const isCheckpointFile = (name: string) => CHECKPOINT_FILES.some((re) => re.test(name));

export type UploadState = { id: string; name: string; fileName: string; size: number; offset: number; complete: boolean };

type Options = {
  /** Prefix of the API, "" in the browser (same origin). */
  baseUrl?: string;
  /** Extra headers (an API key in tests and scripts; the browser sends its session cookie). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

export class UploadRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, opts: Options, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(`${opts.baseUrl ?? ""}${path}`, { method, body: init.body, headers: { ...opts.headers, ...init.headers }, signal: opts.signal });
  const data = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string }; offset?: number };
  if (!res.ok) throw new UploadRequestError(res.status, data.error?.code ?? "http", data.error?.message ?? `${method} ${path}: HTTP ${res.status}`, data.offset);
  return data;
}

/** `sha256`: the client's own hash of the file, when it has one (the CLI); completion then refuses other bytes. */
export const startUpload = (file: { name: string; size: number }, opts: Options & { modelName?: string; sha256?: string } = {}) =>
  call<{ upload: UploadState }>("POST", "/api/uploads", opts, {
    body: JSON.stringify({ fileName: file.name, size: file.size, name: opts.modelName, sha256: opts.sha256 }),
    headers: { "content-type": "application/json" },
  }).then((r) => r.upload);

export const uploadStatus = (id: string, opts: Options = {}) => call<{ upload: UploadState }>("GET", `/api/uploads/${id}`, opts).then((r) => r.upload);

export const cancelUpload = (id: string, opts: Options = {}) => call<unknown>("DELETE", `/api/uploads/${id}`, opts);

export const finishUpload = <M>(id: string, opts: Options = {}) => call<{ model: M }>("POST", `/api/uploads/${id}/complete`, opts).then((r) => r.model);

/**
 * Sends `blob` from the server's offset (`from`) to `to` (default: the end), chunk by chunk. A 409 (another chunk of this upload still being
 * written, e.g. the server has not yet noticed a dropped connection) waits and continues from the offset it names.
 */
export async function sendChunks(id: string, blob: Blob, opts: Options & { from: number; to?: number; onProgress?: (offset: number) => void }): Promise<void> {
  const to = opts.to ?? blob.size;
  let offset = opts.from;
  let conflicts = 0;
  while (offset < to) {
    const end = Math.min(offset + CHUNK_BYTES, to);
    try {
      const r = await call<{ offset: number }>("PUT", `/api/uploads/${id}`, opts, {
        body: blob.slice(offset, end),
        headers: { "content-range": `bytes ${offset}-${end - 1}/${blob.size}`, "content-type": "application/octet-stream" },
      });
      offset = r.offset;
      conflicts = 0;
    } catch (err) {
      if (!(err instanceof UploadRequestError) || err.status !== 409 || err.offset === undefined || ++conflicts > 50) throw err;
      offset = err.offset;
      await new Promise((r) => setTimeout(r, 200));
    }
    opts.onProgress?.(offset);
  }
}

export type FolderState = { id: string; name: string; form: "hf" | "meta"; size: number; offset: number; complete: boolean; files: UploadState[] };

/** Starts a checkpoint folder upload (`files`: plain names from the checkpoint allow-list, lib/uploads/folder-upload.ts). */
export const startFolderUpload = (name: string, files: { name: string; size: number; sha256?: string }[], opts: Options = {}) =>
  call<{ folder: FolderState }>("POST", "/api/uploads/folders", opts, {
    body: JSON.stringify({ name, files: files.map((f) => ({ fileName: f.name, size: f.size, sha256: f.sha256 })) }),
    headers: { "content-type": "application/json" },
  }).then((r) => r.folder);

export const folderStatus = (id: string, opts: Options = {}) => call<{ folder: FolderState }>("GET", `/api/uploads/folders/${id}`, opts).then((r) => r.folder);

export const cancelFolderUpload = (id: string, opts: Options = {}) => call<unknown>("DELETE", `/api/uploads/folders/${id}`, opts);

export const finishFolderUpload = <M>(id: string, opts: Options = {}) => call<{ model: M }>("POST", `/api/uploads/folders/${id}/complete`, opts).then((r) => r.model);

/**
 * Sends what the server still lacks of every file of the folder, one file after the other, each from its own offset;
 * `onProgress` gets the bytes the server has of the whole folder.
 */
export async function sendFolder(folder: FolderState, blobs: ReadonlyMap<string, Blob>, opts: Options & { onProgress?: (offset: number) => void }): Promise<void> {
  let done = folder.files.reduce((s, f) => s + f.offset, 0);
  for (const f of folder.files) {
    const blob = blobs.get(f.fileName);
    if (!blob) throw new UploadRequestError(0, "missing_file", `${f.fileName} is not among the picked files`);
    const before = done;
    await sendChunks(f.id, blob, { ...opts, from: f.offset, onProgress: (o) => opts.onProgress?.((done = before + o - f.offset)) });
  }
}
