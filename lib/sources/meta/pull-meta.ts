import { readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { DownloadError, downloadEach, downloadFile, safeJoin, type PullTransferOptions } from "../../download";
import { parseChecklist, verifyBlob, VerifyError, type ChecklistEntry } from "../../verify";
import type { MetaCatalog } from "./catalog";
import { MetaError } from "./errors";
import { fileUrl } from "./file-url";
import { parseSignedUrl } from "./parse-signed-url";
import { checkLinkFamily, planMeta } from "./plan-meta";

export interface MetaFileResult {
  /** Relative to `destDir`, e.g. `llama-2-7b/consolidated.00.pth`. */
  path: string;
  bytes: number;
  md5: string;
  /** Not computed while downloading (checklists are md5); a verify job adds it. */
  sha256?: string;
  /** True only when a checklist lists the file and its md5 matches. */
  verified: boolean;
  /** From the checklist; `null` for files no checklist covers (LICENSE, the checklists themselves). */
  expectedMd5: string | null;
}

export interface PullMetaResult {
  expiresAt: Date;
  files: MetaFileResult[];
  /** A model is verified when every file its checklist must cover is listed there and matches. */
  models: Array<{ id: string; folder: string; verified: boolean }>;
  /** The shared checklists' files (Llama 2's root tokenizer.model); Llama 3 folders carry their own, in `models`. */
  tokenizerVerified: boolean;
}

export interface PullMetaParams extends PullTransferOptions {
  /** A function is read before every request, so a job can swap in a fresh link and resume. */
  signedUrl: string | (() => string);
  /** Catalog ids of `family`, e.g. `["7B", "7B-chat"]`, `["Llama3.1-8B-Instruct"]`. */
  models: string[];
  destDir: string;
  /** A META_CATALOG key: `llama-2`, `llama-3.1`… @default "llama-2" */
  family?: string;
  /** @default META_CATALOG */
  catalog?: MetaCatalog;
}

/**
 * Downloads Llama weights from Meta's signed link into `destDir` (Meta's layout: download.sh's for Llama 2, the
 * `llama model download` folders for Llama 3.x, see catalog.ts): checklists
 * first, then every file through the resumable engine, then md5 verification from the hashes computed while
 * streaming. A mismatch is reported (`verified: false`), never thrown; a 403 becomes `expired` or `forbidden`.
 */
export async function pullMeta(params: PullMetaParams): Promise<PullMetaResult> {
  const currentUrl = () => (typeof params.signedUrl === "function" ? params.signedUrl() : params.signedUrl);
  const { expiresAt, url } = parseSignedUrl(currentUrl());
  const plan = planMeta({ models: params.models, family: params.family, catalog: params.catalog });
  checkLinkFamily(url, params.family, params.catalog);
  const urlFor = (rel: string) => () => fileUrl(parseSignedUrl(currentUrl()).url, rel);

  const fetchOne = async (rel: string, dest: string, signal: AbortSignal | undefined) => {
    try {
      const r = await downloadFile({
        url: urlFor(rel),
        dest,
        signal,
        fetch: params.fetch,
        parts: params.parts,
        minPartBytes: params.minPartBytes,
        // Meta's checklists are md5: sha256 only if a verify job asks for it later.
        digests: ["md5"],
        onProgress: params.onProgress && ((p) => params.onProgress?.({ ...p, path: rel })),
      });
      return { bytes: r.bytes, md5: r.md5!, sha256: r.sha256 }; // md5: asked for in `digests`
    } catch (err) {
      throw explain403(err, rel, currentUrl);
    }
  };

  // Checklists go to a side name and only become `checklist.chk` once they parse: an error page never does.
  const expected = new Map<string, string>();
  const files: MetaFileResult[] = [];
  for (const c of plan.checklists) {
    const final = safeJoin(params.destDir, c.path);
    const side = `${final}.download`;
    const r = await fetchOne(c.path, side, params.signal);
    let entries: ChecklistEntry[];
    try {
      entries = parseChecklist(await readFile(side, "utf8"));
    } catch (err) {
      await rm(side, { force: true });
      // Never quote the body: it is whatever the server sent (an error page, or bytes from somewhere it should not be).
      if (err instanceof VerifyError) throw new MetaError("bad_checklist", `${c.path} from the server is not an md5 checklist`);
      throw err;
    }
    await rename(side, final);
    const folder = path.posix.dirname(c.path);
    for (const e of entries) expected.set(folder === "." ? e.path : `${folder}/${e.path}`, e.md5);
    files.push({ path: c.path, bytes: r.bytes, md5: r.md5, sha256: r.sha256, verified: false, expectedMd5: null });
  }

  await downloadEach({
    items: plan.files,
    concurrency: params.concurrency,
    signal: params.signal,
    fetch: async (rel, signal) => {
      const dest = safeJoin(params.destDir, rel);
      const md5 = expected.get(rel) ?? null;
      const cached = md5 ? await reuseVerified(dest, md5) : null;
      const r = cached ?? (await fetchOne(rel, dest, signal));
      // A file that fails its checklist never sits under its final name, where it could pass for the real one.
      if (md5 && r.md5 !== md5) await rename(dest, `${dest}.corrupt`);
      files.push({ path: rel, bytes: r.bytes, md5: r.md5, sha256: r.sha256, verified: md5 === r.md5, expectedMd5: md5 });
    },
  });

  const isVerified = (rel: string) => files.some((f) => f.path === rel && f.verified);
  const models = plan.models.map((m) => ({ id: m.id, folder: m.folder, verified: m.files.every((f) => isVerified(`${m.folder}/${f}`)) }));
  const tokenizerVerified = plan.checklists
    .filter((c) => !c.path.includes("/"))
    .every((c) => c.covers.every(isVerified));
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { expiresAt, files, models, tokenizerVerified };
}

/** A finished file from an earlier run is kept when it still matches its checklist md5. */
async function reuseVerified(dest: string, md5: string) {
  const exists = await stat(dest).then((s) => s.isFile(), () => false);
  if (!exists) return null;
  const v = await verifyBlob({ file: dest, md5, compute: [] });
  if (!v.ok || v.actual.md5 === undefined || v.actual.bytes === undefined) return null;
  return { bytes: v.actual.bytes, md5: v.actual.md5, sha256: v.actual.sha256 };
}

/** Meta's CDN answers 403 both for an expired link and for other refusals; the link's own expiry tells which. */
function explain403(err: unknown, rel: string, currentUrl: () => string): unknown {
  if (!(err instanceof DownloadError) || err.code !== "forbidden") return err;
  const { expiresAt } = parseSignedUrl(currentUrl());
  if (Date.now() >= expiresAt.getTime()) {
    return new DownloadError(
      "expired",
      `link expired at ${expiresAt.toISOString()}; paste a new URL to continue: downloaded bytes are kept`,
      { status: err.status, reason: err.reason, cause: err },
    );
  }
  return new DownloadError("forbidden", `Meta's server refused ${rel}: ${err.reason ?? "403 Forbidden"}`, {
    status: err.status,
    reason: err.reason,
    cause: err,
  });
}
