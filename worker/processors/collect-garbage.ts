import { lstat, readdir, readlink, rm, stat } from "node:fs/promises";
import path from "node:path";
import { config } from "../../lib/config/env";
import { db } from "../../lib/db/prisma";
import { modelDir } from "../../lib/stores/paths";
import { abandonedUploads } from "../../lib/uploads/upload-store";

export type GarbageItem = { path: string; bytes: number; reason: string };
export type GarbageReport = { items: GarbageItem[]; bytesReclaimed: number; dryRun: boolean };

/** Files younger than this are never collected: a download or convert may be creating them right now. */
const MIN_AGE_MS = 10 * 60_000;
const PARTIAL = /\.(partial|partial\.json|incomplete)$/;
const TEMP = /\.tmp(-[0-9a-f]+)?$/;

async function sizeOf(p: string): Promise<number> {
  const st = await lstat(p).catch(() => null);
  if (!st) return 0;
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let sum = 0;
  for (const e of await readdir(p)) sum += await sizeOf(path.join(p, e));
  return sum;
}

async function walkFiles(dir: string, out: string[] = []): Promise<string[]> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walkFiles(p, out);
    else out.push(p);
  }
  return out;
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);

/**
 * Finds what the inventory no longer accounts for under DATA_DIR and (unless `dryRun`) deletes it:
 * partial downloads and temp files of models that finished or no longer exist, model folders no Model row
 * points to, hub-cache blobs no snapshot links to, and browser uploads abandoned for UPLOAD_EXPIRE_HOURS. Partials of models still downloading, failed or
 * waiting for a new signed URL are kept: they are what a resume continues from.
 */
export async function collectGarbage(params: { dryRun?: boolean; now?: number } = {}): Promise<GarbageReport> {
  const now = params.now ?? Date.now();
  const root = config().dataDir;
  const models = await db().model.findMany({ select: { directory: true, status: true } });
  const dirs = models.map((m) => modelDir(m.directory));
  const resumable = models.filter((m) => !["ready", "verified"].includes(m.status)).map((m) => modelDir(m.directory));
  const old = async (p: string) => now - (await stat(p).catch(() => ({ mtimeMs: now }))).mtimeMs > MIN_AGE_MS;
  const items: GarbageItem[] = [];
  const add = async (p: string, reason: string) => {
    if (!items.some((i) => within(p, i.path))) items.push({ path: p, bytes: await sizeOf(p), reason });
  };

  // 1. Model folders nobody owns (meta/<set>, gguf/<name>, hf/hub/models--org--name).
  const hub = path.join(root, "hf", "hub");
  const candidates = [
    ...(await readdir(path.join(root, "meta")).catch(() => [])).map((d) => path.join(root, "meta", d)),
    ...(await readdir(path.join(root, "gguf")).catch(() => [])).map((d) => path.join(root, "gguf", d)),
    ...(await readdir(hub).catch(() => [])).filter((d) => d.startsWith("models--")).map((d) => path.join(hub, d)),
  ];
  for (const dir of candidates) {
    if (!dirs.some((d) => within(d, dir)) && (await old(dir))) await add(dir, "no model in the inventory uses this folder");
  }

  // 2. Hub-cache snapshots no model points to, then blobs no remaining snapshot links to.
  for (const repo of candidates.filter((d) => d.startsWith(hub))) {
    if (items.some((i) => i.path === repo)) continue;
    const linked = new Set<string>();
    for (const snap of await readdir(path.join(repo, "snapshots")).catch(() => [])) {
      const snapDir = path.join(repo, "snapshots", snap);
      if (!dirs.some((d) => within(d, snapDir))) {
        if (await old(snapDir)) await add(snapDir, "snapshot of a deleted model");
        continue;
      }
      for (const f of await walkFiles(snapDir)) {
        const target = await readlink(f).catch(() => null);
        if (target) linked.add(path.basename(target));
      }
    }
    for (const blob of await readdir(path.join(repo, "blobs")).catch(() => [])) {
      const p = path.join(repo, "blobs", blob);
      const base = blob.replace(PARTIAL, "");
      if (linked.has(base) || resumable.some((d) => within(d, repo))) continue;
      if (await old(p)) await add(p, PARTIAL.test(blob) ? "abandoned partial download" : "blob no snapshot links to");
    }
  }

  // 3. Partials and temp files left inside finished models' folders (and anywhere else under the stores).
  for (const store of ["meta", "gguf", "hf"].map((s) => path.join(root, s))) {
    for (const f of await walkFiles(store)) {
      if (!PARTIAL.test(f) && !TEMP.test(f)) continue;
      if (resumable.some((d) => within(f, d)) || !(await old(f))) continue;
      await add(f, PARTIAL.test(f) ? "partial download of a finished or deleted model" : "leftover temporary file");
    }
  }

  // 4. Browser uploads nobody continued for UPLOAD_EXPIRE_HOURS (lib/uploads): never a model, safe to drop.
  for (const u of await abandonedUploads(now)) items.push({ ...u, reason: "abandoned upload" });

  if (!params.dryRun) for (const i of items) await rm(i.path, { recursive: true, force: true });
  return { items, bytesReclaimed: items.reduce((a, i) => a + i.bytes, 0), dryRun: Boolean(params.dryRun) };
}
