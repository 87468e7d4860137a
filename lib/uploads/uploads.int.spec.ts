import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { openAsBlob } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { closeDb, db } from "../db/prisma";
import type { ModelDetailDto } from "../models/model-dto";
import { createUser } from "../users/create-user";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { writeSyntheticGguf } from "../../test/helpers/synthetic-gguf";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { tinyGguf, tinyRef } from "../../test/helpers/tiny-gguf";
import { waitFor } from "../../test/helpers/wait-for";
import { CHUNK_BYTES, finishUpload, sendChunks, startUpload, UploadRequestError, uploadStatus } from "./upload-client";

// Browser uploads against the built web server and a real worker: chunks, a cut connection, resume, validation,
// registration, and the uploaded model answering on /v1.

const BIG_TENSOR_ELEMENTS = 12_500_000; // F32: 50 MB each, four of them
const MAX_BYTES = 300 * 1000 * 1000;

let env: TestEnv;
let app: AppHandle;
let work: string;
let big: { file: string; size: number; sha256: string };
let memberKey: string;
let otherKey: string;
let viewerKey: string;
let memberId: string;

const auth = (key: string) => ({ baseUrl: app.baseUrl, headers: { authorization: `Bearer ${key}` } });
const sha256File = async (f: string) => createHash("sha256").update(await readFile(f)).digest("hex");
const uploadsLeft = () => readdir(path.join(env.dataDir, "uploads")).catch(() => [] as string[]);
const ggufFolders = () => readdir(path.join(env.dataDir, "gguf")).catch(() => [] as string[]);

/** One raw chunk, as a client that ignores the protocol's offsets might send it. */
const putRaw = (id: string, range: string, body: string) =>
  fetch(`${app.baseUrl}/api/uploads/${id}`, { method: "PUT", headers: { authorization: `Bearer ${memberKey}`, "content-range": range }, body });

/** Sends the first `sent` bytes of a chunk that declares `end`, waits until the server has some of them, then cuts the connection. */
async function cutMidChunk(id: string, file: Buffer, start: number, end: number, sent: number): Promise<void> {
  const req = request(`${app.baseUrl}/api/uploads/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${memberKey}`, "content-range": `bytes ${start}-${end - 1}/${big.size}`, "content-length": end - start },
  });
  req.on("error", () => {}); // the cut itself
  req.write(file.subarray(start, start + sent));
  await waitFor("bytes of the cut chunk on the server", async () => (await uploadStatus(id, auth(memberKey))).offset > start, 30_000);
  req.destroy();
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-uploads-"));
  env = await setupTestEnv();
  big = await writeSyntheticGguf(path.join(work, "big.gguf"), 4, BIG_TENSOR_ELEMENTS);
  app = await startApp(env, { workers: 1, extraEnv: { UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
  const member = await createUser({ email: "member@example.com", name: "member", password: "quartz-ember-tide-42", role: "member" });
  const other = await createUser({ email: "other@example.com", name: "other", password: "quartz-ember-tide-42", role: "member" });
  const viewer = await createUser({ email: "viewer@example.com", name: "viewer", password: "quartz-ember-tide-42", role: "viewer" });
  memberId = member.id;
  const key = async (u: { id: string }) => (await createApiKey({ userId: u.id, name: "api" })).key;
  [memberKey, otherKey, viewerKey] = await Promise.all([key(member), key(other), key(viewer)]);
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

describe("GGUF uploads", () => {
  it("resumes a 200 MB upload cut mid-chunk at about 50% and registers it with the right sha256", async () => {
    expect(big.size).toBeGreaterThan(200 * 1000 * 1000);
    const bytes = await readFile(big.file);
    const blob = await openAsBlob(big.file);
    const up = await startUpload({ name: "big-upload.gguf", size: big.size }, auth(memberKey));
    expect(up).toMatchObject({ name: "big-upload", offset: 0, complete: false });
    // Nobody else sees it; viewers may not upload at all.
    await expect(uploadStatus(up.id, auth(otherKey))).rejects.toMatchObject({ status: 404 });
    await expect(startUpload({ name: "x.gguf", size: 10 }, auth(viewerKey))).rejects.toMatchObject({ status: 403 });

    const half = Math.floor(big.size / 2 / CHUNK_BYTES) * CHUNK_BYTES;
    await sendChunks(up.id, blob, { ...auth(memberKey), from: 0, to: half });
    await cutMidChunk(up.id, bytes, half, half + CHUNK_BYTES, CHUNK_BYTES / 2);
    // What arrived of the cut chunk is kept: the offset is inside it.
    const after = await waitFor("the cut noticed", async () => {
      const s = await uploadStatus(up.id, auth(memberKey));
      const probe = await putRaw(up.id, `bytes ${s.offset + 1}-${s.offset + 1}/${big.size}`, "x");
      const body = (await probe.json()) as { error: { code: string; message: string }; offset: number };
      // Out of order: 409 with the offset to send from (until the cut is noticed, "being written now").
      expect(probe.status).toBe(409);
      return /send from/.test(body.error.message) ? body.offset : null;
    });
    expect(after).toBeGreaterThan(half);
    expect(after).toBeLessThanOrEqual(half + CHUNK_BYTES / 2);
    // An overlapping chunk is refused the same way.
    const overlap = await putRaw(up.id, `bytes 0-9/${big.size}`, bytes.subarray(0, 10).toString("latin1"));
    expect(overlap.status).toBe(409);
    expect(await overlap.json()).toMatchObject({ offset: after, error: { code: "offset_mismatch" } });
    await expect(finishUpload(up.id, auth(memberKey))).rejects.toMatchObject({ status: 409, code: "incomplete", offset: after });

    const progress: number[] = [];
    await sendChunks(up.id, blob, { ...auth(memberKey), from: (await uploadStatus(up.id, auth(memberKey))).offset, onProgress: (o) => progress.push(o) });
    expect(progress.at(-1)).toBe(big.size);
    const m = await finishUpload<ModelDetailDto>(up.id, auth(memberKey));
    expect(m).toMatchObject({ name: "big-upload", source: "upload", format: "gguf", status: "verified", bytes: big.size, parameterCount: 4 * BIG_TENSOR_ELEMENTS });
    expect(m.files).toMatchObject([{ path: "big-upload.gguf", sha256: big.sha256, status: "verified", bytes: big.size }]);
    expect(m.metadata).toMatchObject({ architecture: "llama", tensorCount: 4, ggufName: "Upload Test" });
    expect(await sha256File(path.join(env.dataDir, "gguf/big-upload/big-upload.gguf"))).toBe(big.sha256);
    expect(m.holders.map((h) => h.storeId)).toEqual([(await readFile(path.join(env.dataDir, "store-id"), "utf8")).trim()]);
    expect((await db().model.findUniqueOrThrow({ where: { id: m.id } })).createdById).toBe(memberId);
    expect(await uploadsLeft()).toEqual([]);
    const audit = await db().auditEvent.findMany({ where: { action: { in: ["upload.create", "model.upload"] } } });
    expect(audit.map((a) => a.action).sort()).toEqual(["model.upload", "upload.create"]);
    // The name is now taken.
    await expect(startUpload({ name: "big-upload.gguf", size: 10 }, auth(memberKey))).rejects.toMatchObject({ status: 409, code: "exists" });
  }, 240_000);

  it("refuses a truncated file, a non-GGUF file and tensor offsets past the end, keeping nothing", async () => {
    const tiny = await readFile(await tinyGguf());
    const truncated = tiny.subarray(0, Math.floor(tiny.length / 2));
    // The one tensor offset field of tiny's last tensor, moved far past the file (aligned, so only the size check trips).
    const gguf = await writeSyntheticGguf(path.join(work, "offsets.gguf"), 1, 1024);
    const bad = Buffer.from(await readFile(gguf.file));
    const infoEnd = bad.indexOf(Buffer.from("blk.0.weight")) + "blk.0.weight".length + 4 + 8 + 4;
    bad.writeBigUInt64LE(1n << 30n, infoEnd);
    const cases: [string, Buffer, RegExp][] = [
      ["truncated.gguf", truncated, /^truncated\.gguf is not a usable GGUF: .*truncated/],
      ["notes.gguf", Buffer.from("this is a text file, not a model\n".repeat(1000)), /^notes\.gguf is not a usable GGUF: not a GGUF file/],
      ["offsets.gguf", bad, /^offsets\.gguf is not a usable GGUF: tensor blk\.0\.weight extends past the end of the file/],
    ];
    const before = await ggufFolders();
    for (const [name, data, message] of cases) {
      await writeFile(path.join(work, name), data);
      const up = await startUpload({ name, size: data.length }, auth(memberKey));
      await sendChunks(up.id, await openAsBlob(path.join(work, name)), { ...auth(memberKey), from: 0 });
      const err = await finishUpload(up.id, auth(memberKey)).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(UploadRequestError);
      expect((err as UploadRequestError).status, name).toBe(422);
      expect((err as UploadRequestError).message, name).toMatch(message);
      await expect(uploadStatus(up.id, auth(memberKey))).rejects.toMatchObject({ status: 404 });
    }
    expect(await uploadsLeft()).toEqual([]);
    expect(await ggufFolders()).toEqual(before);
    expect(await db().model.count({ where: { name: { in: ["truncated", "notes", "offsets"] } } })).toBe(0);
  });

  it("refuses sizes over UPLOAD_MAX_BYTES and chunks that pass the declared size; cancel deletes what arrived", async () => {
    await expect(startUpload({ name: "huge.gguf", size: MAX_BYTES + 1 }, auth(memberKey))).rejects.toThrow(/over the upload limit of 300000000 bytes \(UPLOAD_MAX_BYTES\)/);
    const up = await startUpload({ name: "cancelled.gguf", size: 100 }, auth(memberKey));
    expect((await putRaw(up.id, "bytes 0-199/100", "x".repeat(200))).status).toBe(400);
    expect((await putRaw(up.id, "bytes 0-49/100", "x".repeat(50))).status).toBe(200);
    expect((await uploadStatus(up.id, auth(memberKey))).offset).toBe(50);
    expect(await uploadsLeft()).toHaveLength(2);
    expect((await fetch(`${app.baseUrl}/api/uploads/${up.id}`, { method: "DELETE", headers: { authorization: `Bearer ${otherKey}` } })).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/api/uploads/${up.id}`, { method: "DELETE", headers: { authorization: `Bearer ${memberKey}` } })).status).toBe(200);
    expect(await uploadsLeft()).toEqual([]);
  });

  it("an uploaded tiny Llama is listed by /v1/models and generates the reference tokens", async () => {
    const file = await tinyGguf();
    const up = await startUpload({ name: "tiny-uploaded.gguf", size: (await readFile(file)).length }, auth(memberKey));
    await sendChunks(up.id, await openAsBlob(file), { ...auth(memberKey), from: 0 });
    const m = await finishUpload<ModelDetailDto>(up.id, auth(memberKey));
    expect(m).toMatchObject({ name: "tiny-uploaded", status: "verified" });
    const client = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: memberKey, maxRetries: 0 });
    expect((await client.models.list()).data.map((x) => x.id).sort()).toEqual(["big-upload", "tiny-uploaded"]);
    const p0 = (await tinyRef()).prompts[0]!;
    const r = await client.completions.create({ model: "tiny-uploaded", prompt: p0.prompt, max_tokens: 32, temperature: 0 });
    expect(r.choices[0]!.text).toBe(p0.generated_text);
  }, 120_000);

  it("`depot upload` sends the file's own sha256, and the server refuses bytes that do not match it", async () => {
    const small = await writeSyntheticGguf(path.join(work, "cli-upload.gguf"), 2, 3_000_000);
    const depot = path.resolve(import.meta.dirname, "../../bin/depot.js");
    const { stdout } = await promisify(execFile)(depot, ["upload", small.file, "--name", "from-cli"], { env: { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: memberKey } });
    expect(stdout.trim()).toBe(`from-cli verified sha256 ${small.sha256}`);

    const up = await startUpload({ name: "tampered.gguf", size: small.size }, { ...auth(memberKey), sha256: "0".repeat(64) });
    await sendChunks(up.id, await openAsBlob(small.file), { ...auth(memberKey), from: 0 });
    await expect(finishUpload(up.id, auth(memberKey))).rejects.toThrow(`tampered.gguf: sha256 of the received bytes is ${small.sha256}, the client declared ${"0".repeat(64)}`);
    expect(await uploadsLeft()).toEqual([]);
  }, 120_000);
});
