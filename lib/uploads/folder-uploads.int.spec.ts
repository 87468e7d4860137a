import { createHash } from "node:crypto";
import { openAsBlob } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { closeDb, db } from "../db/prisma";
import type { JobDto } from "../jobs/job-dto";
import type { ModelDetailDto } from "../models/model-dto";
import { createUser } from "../users/create-user";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { waitFor } from "../../test/helpers/wait-for";
import {
  cancelFolderUpload,
  finishFolderUpload,
  finishUpload,
  folderStatus,
  sendChunks,
  sendFolder,
  startFolderUpload,
  UploadRequestError,
  type FolderState,
} from "./upload-client";

// Checkpoint folders uploaded file by file against the built web server and a real worker: resume, validation,
// registration as the hf / meta model a download registers, Convert on it, and refusals that keep nothing.

const FIXTURE = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama");
const MAX_BYTES = 30 * 1000 * 1000;

let env: TestEnv;
let app: AppHandle;
let work: string;
let memberKey: string;
let otherKey: string;

const auth = (key = memberKey) => ({ baseUrl: app.baseUrl, headers: { authorization: `Bearer ${key}` } });
const sha256File = async (f: string) => createHash("sha256").update(await readFile(f)).digest("hex");
const uploadsLeft = () => readdir(path.join(env.dataDir, "uploads")).catch(() => [] as string[]);
const checkpointFolders = () => readdir(path.join(env.dataDir, "checkpoints")).catch(() => [] as string[]);
const api = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${app.baseUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${memberKey}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
};

/** The files of a folder as the page hands them over: name → Blob. */
async function blobsOf(dir: string): Promise<Map<string, Blob>> {
  const names = (await readdir(dir)).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await openAsBlob(path.join(dir, n))] as const)));
}
const listOf = (blobs: Map<string, Blob>) => [...blobs].map(([name, b]) => ({ name, size: b.size }));

/** Uploads a whole folder and completes it, answering with the refusal (or null when it was registered). */
async function uploadAll(name: string, dir: string): Promise<{ folder: FolderState; error: UploadRequestError | null }> {
  const blobs = await blobsOf(dir);
  const folder = await startFolderUpload(name, listOf(blobs), auth());
  await sendFolder(folder, blobs, auth());
  const error = await finishFolderUpload(folder.id, auth()).then(() => null, (e: unknown) => e as UploadRequestError);
  return { folder, error };
}

/** Converts `modelId` with the existing Convert action and waits for the GGUF. */
async function convert(modelId: string, type: string): Promise<ModelDetailDto> {
  const r = await api<{ jobId: string; modelId: string }>("POST", `/api/models/${modelId}/convert`, { type });
  const job = await waitFor("convert job", async () => {
    const j = (await api<{ job: JobDto }>("GET", `/api/jobs/${r.jobId}`)).job;
    return ["completed", "failed", "cancelled"].includes(j.status) ? j : null;
  }, 120_000);
  expect(job.error).toBeNull();
  return (await api<{ model: ModelDetailDto }>("GET", `/api/models/${r.modelId}`)).model;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-folder-uploads-"));
  env = await setupTestEnv();
  app = await startApp(env, { workers: 1, extraEnv: { UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
  const member = await createUser({ email: "member@example.com", name: "member", password: "quartz-ember-tide-42", role: "member" });
  const other = await createUser({ email: "other@example.com", name: "other", password: "quartz-ember-tide-42", role: "member" });
  const key = async (u: { id: string }) => (await createApiKey({ userId: u.id, name: "api" })).key;
  [memberKey, otherKey] = await Promise.all([key(member), key(other)]);
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

describe("checkpoint folder uploads", () => {
  it("resumes a Hugging Face folder cut inside its weights, registers it as an hf checkpoint and converts it", async () => {
    const dir = path.join(FIXTURE, "hf");
    const blobs = await blobsOf(dir);
    const folder = await startFolderUpload("tiny-hf-upload", listOf(blobs), auth());
    expect(folder).toMatchObject({ name: "tiny-hf-upload", form: "hf", offset: 0, complete: false });
    expect(folder.files.map((f) => f.fileName).sort()).toEqual([...blobs.keys()]);
    await expect(folderStatus(folder.id, auth(otherKey))).rejects.toMatchObject({ status: 404 });

    // Half of model.safetensors, then the connection is gone: completing now names what is missing.
    const weights = folder.files.find((f) => f.fileName === "model.safetensors")!;
    const half = Math.floor(weights.size / 2);
    await sendChunks(weights.id, blobs.get("model.safetensors")!, { ...auth(), from: 0, to: half });
    await expect(finishFolderUpload(folder.id, auth())).rejects.toThrow(/not every file has arrived: .*model\.safetensors \(\d+ of \d+ bytes\)/);
    // A file of a folder is completed and cancelled with its folder only.
    await expect(finishUpload(weights.id, auth())).rejects.toMatchObject({ status: 409, code: "in_folder" });
    expect((await fetch(`${app.baseUrl}/api/uploads/${weights.id}`, { method: "DELETE", headers: auth().headers })).status).toBe(409);

    const resumed = await folderStatus(folder.id, auth());
    expect(resumed.files.find((f) => f.fileName === "model.safetensors")!.offset).toBe(half);
    const progress: number[] = [];
    await sendFolder(resumed, blobs, { ...auth(), onProgress: (o) => progress.push(o) });
    expect(progress.at(-1)).toBe(resumed.size);
    const m = await finishFolderUpload<ModelDetailDto>(folder.id, auth());
    expect(m).toMatchObject({ name: "tiny-hf-upload", source: "upload", format: "hf", status: "verified", directory: "checkpoints/tiny-hf-upload" });
    for (const name of blobs.keys()) {
      const sha = await sha256File(path.join(dir, name));
      expect(m.files.find((f) => f.path === name), name).toMatchObject({ sha256: sha, status: "verified" });
      expect(await sha256File(path.join(env.dataDir, "checkpoints/tiny-hf-upload", name))).toBe(sha);
    }
    expect((m.metadata as { config: { num_hidden_layers: number } }).config.num_hidden_layers).toBe(JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")).num_hidden_layers);
    expect(await uploadsLeft()).toEqual([]);

    const g = await convert(m.id, "f16");
    expect(g).toMatchObject({ format: "gguf", status: "verified", derivedFrom: { id: m.id } });
    expect(g.gguf?.metadata["general.architecture"]).toBe("llama");
  }, 240_000);

  it("registers a Meta folder (params.json, consolidated.00.pth, tokenizer.model) as a meta checkpoint that converts", async () => {
    const { folder, error } = await uploadAll("tiny-meta-upload", path.join(FIXTURE, "meta"));
    expect(error).toBeNull();
    const m = (await api<{ model: ModelDetailDto }>("GET", `/api/models/${(await db().model.findUniqueOrThrow({ where: { name: folder.name } })).id}`)).model;
    expect(m).toMatchObject({ source: "upload", format: "meta", status: "verified" });
    expect(m.files.map((f) => f.path).sort()).toContain("tiny-meta-upload/consolidated.00.pth");
    expect(await stat(path.join(env.dataDir, "checkpoints/tiny-meta-upload/tiny-meta-upload/params.json"))).toBeTruthy();
    const g = await convert(m.id, "q8_0");
    expect(g).toMatchObject({ format: "gguf", status: "verified", parameterCount: 4_196_672 });
  }, 240_000);

  it("refuses names with paths, files off the allow-list, a folder without config and one over UPLOAD_MAX_BYTES, before storing anything", async () => {
    const before = await uploadsLeft();
    const ok = [{ name: "model.safetensors", size: 10 }, { name: "tokenizer.model", size: 10 }];
    const cases: [string, { name: string; size: number }[], number, RegExp][] = [
      ["escape", [{ name: "../config.json", size: 10 }, ...ok], 400, /"\.\.\/config\.json" is not a plain file name/],
      ["subfolder", [{ name: "original/config.json", size: 10 }, ...ok], 400, /"original\/config\.json" is not a plain file name/],
      ["backslash", [{ name: "..\\config.json", size: 10 }, ...ok], 400, /is not a plain file name/],
      ["off-list", [{ name: "config.json", size: 10 }, { name: "run.sh", size: 10 }, ...ok], 400, /"run\.sh" is not a checkpoint file/],
      ["no-config", ok, 422, /^no config: the folder needs config\.json \(Hugging Face form\) or params\.json \(Meta form\)$/],
      ["no-weights", [{ name: "config.json", size: 10 }, { name: "tokenizer.model", size: 10 }], 422, /^no weights/],
      ["over-limit", [{ name: "config.json", size: 10 }, { name: "model.safetensors", size: MAX_BYTES }, { name: "tokenizer.model", size: 10 }], 413, /total 30000020 bytes, over the upload limit of 30000000 bytes \(UPLOAD_MAX_BYTES\)/],
    ];
    for (const [label, files, status, message] of cases) {
      const err = await startFolderUpload(label, files, auth()).catch((e: unknown) => e);
      expect(err, label).toBeInstanceOf(UploadRequestError);
      expect((err as UploadRequestError).status, label).toBe(status);
      expect((err as UploadRequestError).message, label).toMatch(message);
    }
    expect(await uploadsLeft()).toEqual(before);
  });

  it("refuses truncated safetensors, a config that does not parse and a shard index naming a missing shard, keeping nothing", async () => {
    const hf = path.join(FIXTURE, "hf");
    const variant = async (label: string, change: (dir: string) => Promise<void>) => {
      const dir = path.join(work, label);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      for (const f of await readdir(hf)) await copyFile(path.join(hf, f), path.join(dir, f));
      await change(dir);
      return dir;
    };
    const cases: [string, (dir: string) => Promise<void>, RegExp][] = [
      [
        "truncated",
        async (d) => {
          const b = await readFile(path.join(d, "model.safetensors"));
          await writeFile(path.join(d, "model.safetensors"), b.subarray(0, b.length - 1000));
        },
        /^truncated: model\.safetensors is not a usable checkpoint file: tensor .* is beyond the \d+ data bytes/,
      ],
      ["bad-config", (d) => writeFile(path.join(d, "config.json"), "{ not json"), /^bad-config: config\.json is not valid JSON/],
      [
        "missing-shard",
        (d) => writeFile(path.join(d, "model.safetensors.index.json"), JSON.stringify({ weight_map: { "a.weight": "model.safetensors", "b.weight": "model-00002-of-00002.safetensors" } })),
        /^missing-shard: model\.safetensors\.index\.json names model-00002-of-00002\.safetensors, which is not among the uploaded files/,
      ],
    ];
    const folders = await checkpointFolders();
    for (const [label, change, message] of cases) {
      const { folder, error } = await uploadAll(label, await variant(label, change));
      expect(error?.status, label).toBe(422);
      expect(error?.message, label).toMatch(message);
      await expect(folderStatus(folder.id, auth())).rejects.toMatchObject({ status: 404 });
    }
    expect(await uploadsLeft()).toEqual([]);
    expect(await checkpointFolders()).toEqual(folders);
    expect(await db().model.count({ where: { name: { in: cases.map((c) => c[0]) } } })).toBe(0);
  }, 120_000);

  it("cancelling a folder upload deletes every file received", async () => {
    const blobs = await blobsOf(path.join(FIXTURE, "bin"));
    const folder = await startFolderUpload("cancelled-folder", listOf(blobs), auth());
    const first = folder.files[0]!;
    await sendChunks(first.id, blobs.get(first.fileName)!, { ...auth(), from: 0 });
    expect(await uploadsLeft()).not.toEqual([]);
    await expect(cancelFolderUpload(folder.id, auth(otherKey))).rejects.toMatchObject({ status: 404 });
    await cancelFolderUpload(folder.id, auth());
    expect(await uploadsLeft()).toEqual([]);
    expect(await db().model.count({ where: { name: "cancelled-folder" } })).toBe(0);
  });
});
