import { listFiles, modelInfo, whoAmI, type ListFileEntry } from "@huggingface/hub";
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { DownloadError, downloadEach, downloadFile, safeJoin, type PullTransferOptions } from "../../download";
import { hashFile } from "../../verify";
import { linkSnapshot, repoCacheDir, writeRef } from "./cache-layout";
import { HfError } from "./errors";
import { completeSplitSets, ggufUnits, selectQuant } from "./gguf-files";
import { gatedMessage, hubError, TOKEN_REJECTED } from "./hub-error";
import { resolveFile } from "./resolve-file";
import { selectFiles } from "./select-files";

export interface HfFileResult {
  path: string;
  bytes: number;
  /** Checked against the LFS oid for LFS files; computed while streaming for the others (size-checked). */
  sha256: string;
  blobPath: string;
}

export interface PullHfResult {
  commit: string;
  snapshotDir: string;
  /** Whether the hub marks the repo gated (`"auto"`/`"manual"`) or not. */
  gated: false | "auto" | "manual";
  files: HfFileResult[];
}

export interface PullHfParams extends PullTransferOptions {
  /** `org/name` */
  repo: string;
  /** Branch, tag or commit. @default "main" */
  revision?: string;
  /** Sent to the hub origin only, never to the CDN it redirects to. */
  token?: string;
  include?: string[];
  exclude?: string[];
  /** A GGUF quant tag (`Q4_K_M`, any case): only that GGUF (a split set whole), instead of include/exclude. */
  quant?: string;
  /** @default "https://huggingface.co" */
  hubUrl?: string;
  /** `DATA_DIR/hf`; files land in `<hfHome>/hub/models--org--name` (set `HF_HOME` to it for Python). */
  hfHome: string;
}

const REPO_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;
const GIT_SHA = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Downloads a Hugging Face model repo (at one commit) into the HF cache layout: metadata and listing through
 * `@huggingface/hub`, bytes through the resumable engine, LFS files checked against their sha256.
 */
export async function pullHf(params: PullHfParams): Promise<PullHfResult> {
  const { repo } = params;
  if (!REPO_ID.test(repo) || repo.includes("..")) throw new HfError("invalid_repo", `not a Hugging Face repo id: ${JSON.stringify(repo)}`);
  const hubUrl = params.hubUrl ?? "https://huggingface.co";
  const revision = params.revision ?? "main";
  const creds = params.token ? { accessToken: params.token } : {};
  const hub = { hubUrl, fetch: params.fetch, ...creds };

  let commit: string;
  let gated: PullHfResult["gated"];
  let entries: ListFileEntry[] = [];
  try {
    if (params.token) {
      await whoAmI({ hubUrl, fetch: params.fetch, accessToken: params.token }).catch(async (err: unknown) => {
        const e = await hubError(err, repo);
        throw e.code === "unauthorized" ? new DownloadError("unauthorized", TOKEN_REJECTED, { status: e.status, cause: err }) : e;
      });
    }
    const info = await modelInfo({ ...hub, name: repo, revision, additionalFields: ["sha"] });
    commit = String(info.sha);
    gated = info.gated;
    for await (const e of listFiles({ ...hub, repo, revision: commit, recursive: true })) entries.push(e);
  } catch (err) {
    throw await hubError(err, repo);
  }
  if (!GIT_SHA.test(commit)) throw new HfError("invalid_listing", `hub returned an invalid commit for ${repo}`);

  const repoDir = repoCacheDir(params.hfHome, repo);
  const snapshotDir = path.join(repoDir, "snapshots", commit);
  entries = entries.filter((e) => e.type === "file");
  // Every name and blob id from the listing is checked before anything is written.
  for (const e of entries) {
    safeJoin(snapshotDir, e.path);
    const blobId = e.lfs?.oid ?? e.oid;
    if (!blobId || !(e.lfs ? SHA256 : GIT_SHA).test(blobId)) {
      throw new HfError("invalid_listing", `invalid object id for ${JSON.stringify(e.path)} in ${repo}`);
    }
  }
  const chosen = params.quant
    ? selectQuant({ files: entries, quant: params.quant, repo })
    : completeSplitSets(selectFiles({ files: entries, include: params.include, exclude: params.exclude }), entries);
  if (chosen.length === 0) {
    const tags = [...new Set(ggufUnits(entries).map((u) => u.quant ?? u.files[0]!.path))];
    const hint = tags.length ? `; it holds GGUFs: pick one as ${repo}:<quant> or --include <file> (${tags.join(", ")})` : "";
    throw new HfError("invalid_listing", `no files of ${repo} match the selection${hint}`);
  }
  await mkdir(path.join(repoDir, "blobs"), { recursive: true });

  const files: HfFileResult[] = [];
  await downloadEach({
    items: chosen,
    concurrency: params.concurrency,
    signal: params.signal,
    fetch: async (entry, signal) => {
      files.push(await fetchEntry(params, { hubUrl, repo, commit, repoDir, snapshotDir, entry, signal }));
    },
  });
  if (revision !== commit) await writeRef({ repoDir, revision, commit });
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { commit, snapshotDir, gated, files };
}

async function fetchEntry(
  params: PullHfParams,
  ctx: { hubUrl: string; repo: string; commit: string; repoDir: string; snapshotDir: string; entry: ListFileEntry; signal: AbortSignal },
): Promise<HfFileResult> {
  const { entry } = ctx;
  const lfsSha = entry.lfs?.oid;
  const blobPath = path.join(ctx.repoDir, "blobs", (lfsSha ?? entry.oid) as string);
  const onDisk = await stat(blobPath).then((s) => s.size, () => -1);
  let sha256: string;
  if (onDisk === entry.size) {
    // Cache hit (also a blob Python downloaded): size re-checked; LFS blobs are named by their sha256.
    sha256 = lfsSha ?? (await hashFile({ file: blobPath })).sha256;
  } else {
    let r: Awaited<ReturnType<typeof downloadFile>> | undefined;
    for (let attempt = 0; !r; attempt++) {
      const target = await resolveFile({ ...ctx, path: entry.path, token: params.token, fetch: params.fetch, signal: ctx.signal });
      const toHub = new URL(target.url).origin === new URL(ctx.hubUrl).origin;
      try {
        r = await downloadFile({
          url: target.url,
          headers: target.headers,
          dest: blobPath,
          expectedBytes: entry.size,
          expectedSha256: lfsSha,
          signal: ctx.signal,
          fetch: params.fetch,
          parts: params.parts,
          minPartBytes: params.minPartBytes,
          // The Hub's LFS pointers are sha256 (and small files get one for the inventory): no md5.
          digests: ["sha256"],
          onProgress: params.onProgress && ((p) => params.onProgress?.({ ...p, path: entry.path })),
        });
      } catch (err) {
        if (!(err instanceof DownloadError)) throw err;
        if (toHub && (err.code === "unauthorized" || err.code === "forbidden")) {
          throw new DownloadError(err.code, err.code === "unauthorized" && params.token ? TOKEN_REJECTED : gatedMessage(ctx.repo), {
            status: err.status,
            cause: err,
          });
        }
        // CDN links are short-lived: on a 403 from one, resolve a fresh link once and resume.
        if (toHub || err.code !== "forbidden" || attempt > 0) throw err;
      }
    }
    sha256 = r.sha256!; // asked for in `digests`
  }
  await linkSnapshot({ snapshotDir: ctx.snapshotDir, relPath: entry.path, blobPath });
  return { path: entry.path, bytes: entry.size, sha256, blobPath };
}
