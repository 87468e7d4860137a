import { lstat, mkdtemp, readFile, readdir, readlink, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startHfHub, type HfHub } from "../../../test/servers/hf-hub";
import { buildHfLlama3Repo } from "../../../test/servers/hf-llama3-repo";
import { DownloadError } from "../../download";
import { pullHf } from "./pull-hf";

// The local servers listen on 127.0.0.1: allowed through the egress policy's configuration, as an admin would.
process.env.EGRESS_ALLOW ??= "127.0.0.1";

const FIX = path.resolve(import.meta.dirname, "../../../test/fixtures/tiny-llama");
const SAFETENSORS_SHA = "5768b7707db7045353eecca9420b8fc308d44619afb11016cb59abc8ac508c8f";
const TOKEN = "hf_aliceSecretToken123456";
const PUBLIC = "test-org/tiny-llama";
const GATED = "meta-llama/Tiny-Llama-2-7b-hf";
const LLAMA3 = "meta-llama/Llama-3.1-8B-Instruct";

let tmp: string;
let hub: HfHub;
let n = 0;
const newHome = () => path.join(tmp, `hf-${n++}`);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-hf-"));
  await buildHfLlama3Repo(path.join(tmp, "llama3-repo"));
  hub = await startHfHub({
    repos: [
      { name: LLAMA3, dir: path.join(tmp, "llama3-repo") },
      { name: PUBLIC, dir: path.join(FIX, "hf") },
      { name: "test-org/tiny-llama-bin", dir: path.join(FIX, "bin") },
      { name: GATED, dir: path.join(FIX, "hf"), gated: "manual" },
      {
        name: "evil/listing",
        dir: path.join(FIX, "hf"),
        extraEntries: [{ type: "file", path: "../../../escape.json", size: 2, oid: "0".repeat(40) }],
      },
    ],
    tokens: { [TOKEN]: { user: "alice", access: [GATED] }, hf_bobNoAccess: { user: "bob", access: [] } },
  });
});

afterAll(async () => {
  await hub?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe("pullHf", () => {
  it("stores the default selection in the HF cache layout and reuses it", async () => {
    const hfHome = newHome();
    const r = await pullHf({ repo: PUBLIC, hfHome, hubUrl: hub.url, minPartBytes: 1024 * 1024 });
    const commit = hub.commitOf(PUBLIC);
    const repoDir = path.join(hfHome, "hub", "models--test-org--tiny-llama");
    expect(r.commit).toBe(commit);
    expect(r.snapshotDir).toBe(path.join(repoDir, "snapshots", commit));
    expect(r.files.map((f) => f.path)).toEqual([
      "config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.model", "tokenizer_config.json",
    ]);
    expect(r.files.find((f) => f.path === "model.safetensors")).toMatchObject({
      sha256: SAFETENSORS_SHA,
      bytes: 8_395_536,
      blobPath: path.join(repoDir, "blobs", SAFETENSORS_SHA),
    });
    for (const f of r.files) {
      const link = path.join(r.snapshotDir, f.path);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readlink(link)).toBe(path.relative(r.snapshotDir, f.blobPath));
      expect(await realpath(link)).toBe(await realpath(f.blobPath));
      const want = await readFile(path.join(FIX, "hf", f.path));
      expect((await readFile(link)).equals(want), f.path).toBe(true);
      expect(f.sha256).toBe(createHash("sha256").update(want).digest("hex"));
    }
    const config = r.files.find((f) => f.path === "config.json");
    expect(path.basename(config?.blobPath ?? "")).toMatch(/^[0-9a-f]{40}$/); // git blob sha for non-LFS files
    expect(await readFile(path.join(repoDir, "refs", "main"), "utf8")).toBe(commit);
    expect((await readdir(path.join(repoDir, "blobs"))).every((b) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(b))).toBe(true);

    const before = hub.stats.cdnBytesServed;
    const again = await pullHf({ repo: PUBLIC, hfHome, hubUrl: hub.url });
    expect(again.files).toEqual(r.files);
    expect(hub.stats.cdnBytesServed).toBe(before);
  });

  it("falls back to pytorch_model.bin when a repo has no safetensors", async () => {
    const r = await pullHf({ repo: "test-org/tiny-llama-bin", hfHome: newHome(), hubUrl: hub.url, include: undefined });
    expect(r.files.map((f) => f.path)).toContain("pytorch_model.bin");
    expect(r.files.find((f) => f.path === "pytorch_model.bin")?.sha256).toBe("335d43d0ee11b08462a04db0ee15798c0815b70e3d3c53f59b9ca7805043b3dd");
  });

  it("gated repo: 401 without token, 403 without access, success with access; the token is never leaked", async () => {
    const logs: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" "))),
    );
    try {
      const noToken = await pullHf({ repo: GATED, hfHome: newHome(), hubUrl: hub.url }).catch((e: unknown) => e);
      expect(noToken).toBeInstanceOf(DownloadError);
      expect(noToken).toMatchObject({ code: "unauthorized", status: 401, message: `this repository is gated: request access at https://huggingface.co/${GATED}` });

      const invalid = await pullHf({ repo: GATED, hfHome: newHome(), hubUrl: hub.url, token: "hf_notAToken" }).catch((e: unknown) => e);
      expect(invalid).toMatchObject({ code: "unauthorized", message: "the Hub rejected this token" });

      const noAccess = await pullHf({ repo: GATED, hfHome: newHome(), hubUrl: hub.url, token: "hf_bobNoAccess" }).catch((e: unknown) => e);
      expect(noAccess).toMatchObject({
        code: "forbidden",
        status: 403,
        message: `this repository is gated: request access at https://huggingface.co/${GATED}`,
      });

      const progress: unknown[] = [];
      const ok = await pullHf({ repo: GATED, hfHome: newHome(), hubUrl: hub.url, token: TOKEN, onProgress: (p) => progress.push(p) });
      expect(ok.gated).toBe("manual");
      expect(ok.files.find((f) => f.path === "model.safetensors")?.sha256).toBe(SAFETENSORS_SHA);

      // The CDN (another origin) never sees a token; the hub did get it for the gated resolve.
      expect(hub.stats.cdn.length).toBeGreaterThan(0);
      expect(hub.stats.cdn.some((c) => c.authorization)).toBe(false);
      expect(hub.stats.hub.some((h) => h.authorization && h.path.includes("/resolve/"))).toBe(true);

      const everything = [noToken, invalid, noAccess].map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack}`).join("\n");
      const all = `${everything}\n${JSON.stringify(ok)}\n${JSON.stringify(progress)}\n${logs.join("\n")}`;
      expect(all).not.toContain(TOKEN);
      expect(all).not.toContain("hf_bobNoAccess");
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });

  it("takes a Llama 3.x repo's safetensors form and leaves Meta's checkpoint under original/ alone", async () => {
    const before = hub.stats.hub.length;
    const r = await pullHf({ repo: LLAMA3, hfHome: newHome(), hubUrl: hub.url });
    expect(r.files.map((f) => f.path)).toEqual([
      "config.json", "generation_config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
      "model.safetensors.index.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json",
    ]);
    expect(await readdir(r.snapshotDir)).not.toContain("original");
    const asked = hub.stats.hub.slice(before).map((h) => h.path);
    expect(asked.some((p) => p.includes("/resolve/"))).toBe(true);
    expect(asked.filter((p) => p.includes("original"))).toEqual([]);

    // Asked for explicitly, the nested files come as listed.
    const original = await pullHf({ repo: LLAMA3, hfHome: newHome(), hubUrl: hub.url, include: ["original/*"] });
    expect(original.files.map((f) => f.path)).toEqual(["original/consolidated.00.pth", "original/params.json", "original/tokenizer.model"]);
  });

  it("rejects traversal names in a listing before writing anything", async () => {
    const hfHome = newHome();
    const err = await pullHf({ repo: "evil/listing", hfHome, hubUrl: hub.url }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unsafe_path" });
    expect(await readdir(hfHome).catch(() => [])).toEqual([]);
  });

  it("detects a flipped byte from the CDN and keeps no blob", async () => {
    hub.options.corrupt = { sha256: SAFETENSORS_SHA, offset: 77_777 };
    try {
      const hfHome = newHome();
      const err = await pullHf({ repo: PUBLIC, hfHome, hubUrl: hub.url }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "checksum_mismatch", expected: { sha256: SAFETENSORS_SHA } });
      const blobs = await readdir(path.join(hfHome, "hub", "models--test-org--tiny-llama", "blobs"));
      expect(blobs.some((b) => b.startsWith(SAFETENSORS_SHA))).toBe(false);
    } finally {
      hub.options.corrupt = undefined;
    }
  });

  it("rejects malformed repo ids", async () => {
    await expect(pullHf({ repo: "../etc", hfHome: newHome(), hubUrl: hub.url })).rejects.toMatchObject({ code: "invalid_repo" });
  });
});
