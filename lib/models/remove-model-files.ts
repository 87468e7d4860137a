import { lstat, readdir, readlink, rm } from "node:fs/promises";
import path from "node:path";
import { db } from "../db/prisma";
import { safeJoin } from "../download";
import { isInsideDataDir, modelDir } from "../stores/paths";
import { ModelError } from "./errors";

/** Bytes of regular files under `p` (each inode once), without following links. */
async function diskUsage(p: string, seen = new Set<string>()): Promise<number> {
  const st = await lstat(p).catch(() => null);
  if (!st) return 0;
  if (st.isDirectory()) {
    let sum = 0;
    for (const e of await readdir(p)) sum += await diskUsage(path.join(p, e), seen);
    return sum;
  }
  const key = `${st.dev}:${st.ino}`;
  if (!st.isFile() || seen.has(key)) return 0;
  seen.add(key);
  return st.size;
}

async function removeAll(paths: string[]): Promise<number> {
  const seen = new Set<string>();
  let freed = 0;
  for (const p of paths) {
    freed += await diskUsage(p, seen);
    await rm(p, { recursive: true, force: true });
  }
  return freed;
}

/** Blob names every snapshot of a hub-cache repo still links to. */
async function linkedBlobs(repoDir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isSymbolicLink()) out.add(path.basename(await readlink(p)));
    }
  };
  await walk(path.join(repoDir, "snapshots"));
  return out;
}

/** `files`: a Hub GGUF's own files, set for those only (other GGUFs of the repo may share its snapshot). */
export type ModelFacts = { id: string; name: string; source: string; directory: string; files?: string[] };

/**
 * Removes a model's bytes from this process's store, leaving nothing behind that no other model uses: partial
 * downloads and sidecars go with their folder; a hub-cache repo loses the snapshot and every blob no other snapshot
 * links to (the whole repo folder when it was the last one). Returns the bytes freed.
 */
export async function removeModelFiles(m: ModelFacts): Promise<number> {
  const dir = modelDir(m.directory);
  if (!isInsideDataDir(dir)) throw new ModelError("outside_data_dir", `${dir} is not under DATA_DIR; refusing to delete files there`);
  const others = (await db().model.findMany({ where: { id: { not: m.id } }, select: { directory: true } })).map((o) => modelDir(o.directory));
  const shared = (d: string) => others.some((o) => o === d || o.startsWith(d + path.sep));

  const ownFiles = m.source === "hf" && m.files?.length ? m.files : null;
  if (others.some((o) => o === dir) && m.source !== "meta" && !ownFiles) {
    // Two revisions resolved to the same snapshot: the other model still owns every file.
    return 0;
  }
  if (m.source === "hf") {
    // <repo>/snapshots/<commit>: blobs live beside the snapshots, shared between revisions. Until a download
    // resolved its commit, the directory is the repo folder itself.
    const downloaded = path.basename(path.dirname(dir)) === "snapshots";
    const repoDir = downloaded ? path.dirname(path.dirname(dir)) : dir;
    if (!shared(repoDir)) return removeAll([repoDir, path.join(path.dirname(repoDir), ".locks", path.basename(repoDir))]);
    // A Hub GGUF leaves the snapshot to the other models there and drops only its own links.
    const own = ownFiles && others.some((o) => o === dir) ? ownFiles.map((f) => safeJoin(dir, f)) : [dir];
    let freed = downloaded ? await removeAll(own) : 0;
    const keep = await linkedBlobs(repoDir);
    const blobs = await readdir(path.join(repoDir, "blobs")).catch(() => []);
    freed += await removeAll(blobs.filter((b) => !keep.has(b.replace(/\.incomplete$|\.partial(\.json)?$/, ""))).map((b) => path.join(repoDir, "blobs", b)));
    return freed;
  }
  // Another model of the same Meta download keeps the shared files (tokenizer, licence).
  if (m.source === "meta" && shared(dir)) return removeAll([path.join(dir, m.name)]);
  return removeAll([dir]);
}
