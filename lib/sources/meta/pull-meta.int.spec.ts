import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildLlama3Folder, buildMetaTree } from "../../../test/servers/meta-fixture";
import { startMetaCdn, type MetaCdn } from "../../../test/servers/meta-cdn";
import { DownloadError } from "../../download";
import { MetaError } from "./errors";
import { pullMeta } from "./pull-meta";

// The local servers listen on 127.0.0.1: allowed through the egress policy's configuration, as an admin would.
process.env.EGRESS_ALLOW ??= "127.0.0.1";

const WEIGHTS = "llama-2-7b/consolidated.00.pth";
const WEIGHTS_BYTES = 8_400_700;

let tmp: string;
let tree: Record<string, string>;
let cdn: MetaCdn;
let n = 0;
const newDest = () => path.join(tmp, `dest-${n++}`);
const inAnHour = () => new Date(Date.now() + 3600_000);

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listTree(path.join(dir, e.name), `${prefix}${e.name}/`)));
    else out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-meta-"));
  tree = (await buildMetaTree(path.join(tmp, "cdn"))).files;
  cdn = await startMetaCdn({ root: path.join(tmp, "cdn") });
});

afterAll(async () => {
  await cdn?.stop();
  await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  cdn.options = { root: path.join(tmp, "cdn") };
  cdn.resetStats();
});

describe("pullMeta", () => {
  it("downloads the Meta fixture byte-identical and verifies both checklists", async () => {
    const dest = newDest();
    const seen = new Set<string>();
    const r = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), models: ["7B"], destDir: dest, onProgress: (p) => seen.add(p.path) });
    const expectedFiles = Object.keys(tree).sort();
    expect(await listTree(dest)).toEqual(expectedFiles);
    expect(r.files.map((f) => f.path)).toEqual(expectedFiles);
    for (const rel of expectedFiles) {
      const want = await readFile(tree[rel] as string);
      const got = await readFile(path.join(dest, rel));
      expect(got.equals(want), rel).toBe(true);
      const f = r.files.find((x) => x.path === rel);
      // Meta verifies with md5 only: that is all the download hashes (sha256 is a verify job's, on request).
      expect(f?.md5).toBe(createHash("md5").update(want).digest("hex"));
      expect(f?.sha256).toBeUndefined();
    }
    const byPath = Object.fromEntries(r.files.map((f) => [f.path, f]));
    expect(byPath[WEIGHTS]).toMatchObject({ verified: true, expectedMd5: "b5b72b4f2d00670390d3d8d4d9d2c490", bytes: WEIGHTS_BYTES });
    expect(byPath["llama-2-7b/params.json"]?.verified).toBe(true);
    expect(byPath["tokenizer.model"]).toMatchObject({ verified: true, expectedMd5: "eeec4125e9c7560836b4873b6f8e3025" });
    expect(byPath["LICENSE"]).toMatchObject({ verified: false, expectedMd5: null });
    expect(r.models).toEqual([{ id: "7B", folder: "llama-2-7b", verified: true }]);
    expect(r.tokenizerVerified).toBe(true);
    expect(seen.has(WEIGHTS)).toBe(true);
  });

  it("fails with a clear expiry error mid-download, then resumes from the partial file with a new URL", async () => {
    const dest = newDest();
    cdn.options.throttleBps = 2 * 1024 * 1024;
    cdn.options.dropAfterBytes = 1024 * 1024; // each request ends after 1 MiB, so expiry hits the next one
    const expiring = cdn.signUrl(new Date(Date.now() + 2000));
    const err = await pullMeta({ signedUrl: expiring, models: ["7B"], destDir: dest }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).code).toBe("expired");
    expect((err as Error).message).toMatch(
      /^link expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z; paste a new URL to continue: downloaded bytes are kept$/,
    );
    const partial = await stat(path.join(dest, `${WEIGHTS}.partial`));
    expect(partial.size).toBe(WEIGHTS_BYTES);
    const firstRun = cdn.stats.bytesByPath[WEIGHTS] ?? 0;
    expect(firstRun).toBeGreaterThan(1024 * 1024);
    expect(firstRun).toBeLessThan(WEIGHTS_BYTES);

    cdn.options = { root: path.join(tmp, "cdn") };
    const r = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), models: ["7B"], destDir: dest });
    expect(r.models[0]?.verified).toBe(true);
    expect(cdn.stats.bytesByPath[WEIGHTS] ?? 0).toBeLessThanOrEqual(1.1 * WEIGHTS_BYTES);
    expect(await readdir(path.join(dest, "llama-2-7b"))).toEqual(["checklist.chk", "consolidated.00.pth", "params.json"]);
  });

  it("never writes a checklist from an expired link, and reports other 403s with the server's reason", async () => {
    const dest = newDest();
    const expired = await pullMeta({ signedUrl: cdn.signUrl(new Date(Date.now() - 1000)), models: ["7B"], destDir: dest }).catch((e: unknown) => e);
    expect(expired).toMatchObject({ code: "expired" });
    expect(await listTree(dest).catch(() => [])).toEqual([]);

    cdn.options.downloadLimit = 2; // each small file takes a size probe and one range request
    const url = cdn.signUrl(inAnHour());
    await pullMeta({ signedUrl: url, models: ["7B"], destDir: newDest() });
    const limited = await pullMeta({ signedUrl: url, models: ["7B"], destDir: newDest() }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: "forbidden", status: 403 });
    expect((limited as Error).message).toBe("Meta's server refused tokenizer_checklist.chk: AccessDenied: Download limit exceeded for this URL");
  });

  it("rejects a checklist that is really an error page", async () => {
    const cdnRoot = path.join(tmp, "cdn-bad");
    await buildMetaTree(cdnRoot);
    await rm(path.join(cdnRoot, "llama-2-7b/checklist.chk"));
    await writeFile(path.join(cdnRoot, "llama-2-7b/checklist.chk"), "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>");
    cdn.options.root = cdnRoot;
    const dest = newDest();
    const err = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), models: ["7B"], destDir: dest }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetaError);
    expect(err).toMatchObject({ code: "bad_checklist" });
    expect((err as Error).message).not.toContain("AccessDenied"); // no bytes of the body
    expect(await listTree(dest)).toEqual(["tokenizer_checklist.chk"]);
  });

  it("detects a flipped byte: the file and the model are not verified, the file is renamed aside", async () => {
    cdn.options.corrupt = { path: WEIGHTS, offset: 1234567 };
    const dest = newDest();
    const r = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), models: ["7B"], destDir: dest });
    const tree = await listTree(dest);
    expect(tree).toContain(`${WEIGHTS}.corrupt`);
    expect(tree).not.toContain(WEIGHTS);
    const weights = r.files.find((f) => f.path === WEIGHTS);
    expect(weights?.verified).toBe(false);
    expect(weights?.expectedMd5).toBe("b5b72b4f2d00670390d3d8d4d9d2c490");
    expect(weights?.md5).not.toBe(weights?.expectedMd5);
    expect(r.models).toEqual([{ id: "7B", folder: "llama-2-7b", verified: false }]);
    expect(r.tokenizerVerified).toBe(true);
  });

  it("rejects malformed links before any request", async () => {
    const err = await pullMeta({ signedUrl: `${cdn.url}/*?Signature=x`, models: ["7B"], destDir: newDest() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "malformed_url" });
    expect(cdn.stats.requests).toBe(0);
  });
});

describe("pullMeta, Llama 3.x (the `llama model download` layout)", () => {
  const FOLDER = "Llama-3.1-8B-Instruct";
  let root: string;
  let served: Record<string, string>;

  beforeAll(async () => {
    root = path.join(tmp, "cdn-llama3");
    served = (await buildLlama3Folder(root, { folder: FOLDER, shardBytes: 5_000_123 })).md5;
  });

  beforeEach(() => {
    cdn.options = { root };
    cdn.resetStats();
  });

  it("fetches the model's folder, its own tokenizer.model included, and verifies every file by the folder's checklist", async () => {
    const dest = newDest();
    const r = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), family: "llama-3.1", models: ["Llama3.1-8B-Instruct"], destDir: dest });
    const want = [`${FOLDER}/checklist.chk`, `${FOLDER}/consolidated.00.pth`, `${FOLDER}/params.json`, `${FOLDER}/tokenizer.model`];
    expect(await listTree(dest)).toEqual(want);
    expect(r.files.map((f) => f.path)).toEqual(want);
    for (const rel of want) {
      expect(createHash("md5").update(await readFile(path.join(dest, rel))).digest("hex"), rel).toBe(served[rel]);
    }
    for (const rel of want.filter((f) => !f.endsWith(".chk"))) {
      expect(r.files.find((f) => f.path === rel), rel).toMatchObject({ verified: true, expectedMd5: served[rel] });
    }
    expect(r.models).toEqual([{ id: "Llama3.1-8B-Instruct", folder: FOLDER, verified: true }]);
    expect(Object.keys(cdn.stats.bytesByPath).sort()).toEqual(want);
  });

  it("serves a given checkpoint folder as a model's folder (here a Llama 3.2 one) with its own checklist", async () => {
    const source = path.join(tmp, "checkpoint");
    await buildLlama3Folder(source, { folder: "meta-llama3.2", shardBytes: 1_000_001 });
    const servedRoot = path.join(tmp, "cdn-llama3.2");
    const copied = (await buildLlama3Folder(servedRoot, { folder: "Llama-3.2-1B-Instruct", from: path.join(source, "meta-llama3.2") })).md5;
    cdn.options.root = servedRoot;
    const r = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), family: "llama-3.2", models: ["Llama3.2-1B-Instruct"], destDir: newDest() });
    expect(r.models).toEqual([{ id: "Llama3.2-1B-Instruct", folder: "Llama-3.2-1B-Instruct", verified: true }]);
    expect(Object.fromEntries(r.files.map((f) => [f.path, f.md5]))).toEqual(copied);
  });

  it("a flipped byte in the folder's tokenizer.model leaves the model unverified", async () => {
    cdn.options.corrupt = { path: `${FOLDER}/tokenizer.model`, offset: 10 };
    const r = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), family: "llama-3.1", models: ["Llama-3.1-8B-Instruct"], destDir: newDest() });
    expect(r.files.find((f) => f.path === `${FOLDER}/tokenizer.model`)?.verified).toBe(false);
    expect(r.models).toEqual([{ id: "Llama3.1-8B-Instruct", folder: FOLDER, verified: false }]);
  });

  it("refuses another family's link before any request, and reports an expired one clearly", async () => {
    // A validly signed link, moved to the host Meta uses for Llama 3.2 lightweight downloads.
    const other = cdn.signUrl(inAnHour()).replace(cdn.url, "https://llama3-2-lightweight.llamameta.net");
    const dest = newDest();
    const wrong = await pullMeta({ signedUrl: other, family: "llama-3.1", models: ["Llama3.1-8B-Instruct"], destDir: dest }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(MetaError);
    expect(wrong).toMatchObject({ code: "wrong_family", message: expect.stringMatching(/is for Llama 3\.2, not Llama 3\.1/) });
    const unknown = await pullMeta({ signedUrl: cdn.signUrl(inAnHour()), family: "llama-3.1", models: ["7B"], destDir: dest }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "unknown_model" });
    expect(cdn.stats.requests).toBe(0);

    const expired = await pullMeta({ signedUrl: cdn.signUrl(new Date(Date.now() - 1000)), family: "llama-3.1", models: ["Llama3.1-8B-Instruct"], destDir: dest }).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(DownloadError);
    expect((expired as Error).message).toMatch(/^link expired at .*; paste a new URL to continue: downloaded bytes are kept$/);
    expect(await listTree(dest).catch(() => [])).toEqual([]);
  });
});
