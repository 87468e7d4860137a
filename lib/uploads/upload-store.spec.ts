import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readdir, rm, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorReply } from "../http/errors";
import type { UploadMeta } from "./upload-store";

let dataDir: string;
let store: typeof import("./upload-store");
/** What a refusal answers over HTTP (the one table in lib/http), with the offset to resume from where it has one. */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => {
      const r = errorReply(e);
      return r && { status: r.status, code: r.code, message: r.message, ...r.extra };
    },
  );

const stream = (bytes: Buffer, pauseAfter?: Promise<void>) =>
  new ReadableStream<Uint8Array>({
    async start(c) {
      c.enqueue(bytes.subarray(0, bytes.length / 2));
      await pauseAfter;
      c.enqueue(bytes.subarray(bytes.length / 2));
      c.close();
    },
  });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "depot-upload-store-"));
  Object.assign(process.env, { DATA_DIR: dataDir, UPLOAD_MAX_BYTES: "5000" });
  store = await import("./upload-store");
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const start = (size: number): Promise<UploadMeta> => store.createUpload({ fileName: "m.gguf", size, ownerId: "u1", nameTaken: async () => false });

describe("upload store", () => {
  it("hashes the received prefix again when the running hash was lost (a web restart), giving the file's sha256", async () => {
    const bytes = randomBytes(3000);
    const m = await start(bytes.length);
    expect(await store.appendChunk(m, 0, 1000, stream(bytes.subarray(0, 1000)))).toBe(1000);
    (globalThis as { __depotUploads?: Map<string, unknown> }).__depotUploads!.clear();
    expect(await store.appendChunk(m, 1000, 3000, stream(bytes.subarray(1000)))).toBe(3000);
    expect((await store.finalDigest(m)).sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("refuses a second chunk while one is being written, and a chunk not at the offset, with the offset", async () => {
    const bytes = randomBytes(2000);
    const m = await start(bytes.length);
    let release!: () => void;
    const first = store.appendChunk(m, 0, 1000, stream(bytes.subarray(0, 1000), new Promise<void>((r) => (release = r))));
    await new Promise((r) => setTimeout(r, 50));
    expect(await refusal(store.appendChunk(m, 0, 1000, stream(bytes.subarray(0, 1000))))).toMatchObject({ status: 409, message: expect.stringMatching(/being written now/) });
    release();
    expect(await first).toBe(1000);
    expect(await refusal(store.appendChunk(m, 500, 1500, stream(bytes.subarray(500, 1500))))).toMatchObject({ status: 409, offset: 1000 });
    expect(await refusal(store.appendChunk(m, 1000, 2100, stream(randomBytes(1100))))).toMatchObject({ status: 400, code: "beyond_size" });
    await store.appendChunk(m, 1000, 2000, stream(bytes.subarray(1000)));
    const done = await store.finalDigest(m);
    expect(done.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    // While it is being completed, neither a second completion nor a chunk may start.
    expect(await refusal(store.finalDigest(m))).toMatchObject({ status: 409 });
    expect(await refusal(store.appendChunk(m, 2000, 2000, stream(Buffer.alloc(0))))).toMatchObject({ status: 409 });
    done.release();
    expect((await store.finalDigest(m)).sha256).toBe(done.sha256);
  });

  it("refuses a file over UPLOAD_MAX_BYTES and a name no model may have, storing nothing", async () => {
    expect(await refusal(start(5001))).toMatchObject({ status: 413, message: expect.stringMatching(/over the upload limit of 5000 bytes/) });
    expect(await refusal(store.createUpload({ fileName: "x.gguf", size: 10, name: "../x", ownerId: "u1", nameTaken: async () => false }))).toMatchObject({ status: 400, code: "invalid_name" });
    expect(await refusal(store.createUpload({ fileName: "x.gguf", size: 10, ownerId: "u1", nameTaken: async () => true }))).toMatchObject({ status: 409, code: "exists" });
    expect((await readdir(store.uploadsDir())).length).toBe(4); // the two uploads above, nothing for these
  });

  it("sweeps uploads idle for UPLOAD_EXPIRE_HOURS when the next one starts", async () => {
    const old = await start(10);
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    for (const f of [`${old.id}.json`, `${old.id}.partial`]) await utimes(path.join(store.uploadsDir(), f), twoDaysAgo, twoDaysAgo);
    const fresh = await start(10);
    const left = await readdir(store.uploadsDir());
    expect(left.filter((f) => f.startsWith(old.id))).toEqual([]);
    expect(left.filter((f) => f.startsWith(fresh.id))).toHaveLength(2);
  });

  it("keeps a folder upload's idle files while the folder is active, and sweeps them with it once it is idle too", async () => {
    const { createFolderUpload } = await import("./folder-upload");
    const files = ["config.json", "model.safetensors", "tokenizer.model"].map((fileName) => ({ fileName, size: 10 }));
    const f = await createFolderUpload({ name: "idle-folder", files, ownerId: "u1", nameTaken: async () => false });
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    const own = (await readdir(store.uploadsDir())).filter((n) => f.files.some((x) => n.startsWith(x.uploadId)));
    expect(own).toHaveLength(6);
    for (const n of own) await utimes(path.join(store.uploadsDir(), n), twoDaysAgo, twoDaysAgo);
    expect(await store.abandonedUploads(Date.now())).toEqual([]);
    await utimes(store.folderFile(f.id), twoDaysAgo, twoDaysAgo);
    const swept = (await store.abandonedUploads(Date.now())).map((u) => path.basename(u.path)).sort();
    expect(swept).toEqual([...own, `${f.id}.folder.json`].sort());
  });
});
