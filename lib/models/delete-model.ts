import { lstat, readdir, readlink, rm } from "node:fs/promises";
import path from "node:path";
import { db } from "../db/prisma";
import { HttpError, notFound } from "../http/errors";
import { isInsideDataDir } from "./paths";

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

/**
 * Removes a model from the inventory and its bytes from disk, leaving nothing behind that no other model uses:
 * partial downloads and sidecars go with their folder; a hub-cache repo loses the snapshot and every blob no
 * other snapshot links to (the whole repo folder when it was the last one). Returns the bytes freed.
 */
export async function deleteModel(params: { id: string }): Promise<{ name: string; bytesFreed: number }> {
  const m = await db().model.findUnique({ where: { id: params.id } });
  if (!m) throw notFound(`model ${params.id}`);
  // A job names its models in its payload too (a Meta set, a conversion's source), not only in `modelId`.
  const busy = await db().job.findFirst({
    where: { status: { in: ["active", "waiting", "delayed"] }, OR: [{ modelId: m.id }, { payloadSummary: { contains: m.id } }] },
  });
  if (busy) throw new HttpError(409, "busy", `job ${busy.id} is ${busy.status} on ${m.name}: cancel it first`);
  if (!isInsideDataDir(m.directory)) throw new HttpError(409, "outside_data_dir", `${m.directory} is not under DATA_DIR; refusing to delete files there`);
  const others = await db().model.findMany({ where: { id: { not: m.id } }, select: { directory: true } });
  const shared = (dir: string) => others.some((o) => o.directory === dir || o.directory.startsWith(dir + path.sep));

  let bytesFreed = 0;
  if (others.some((o) => o.directory === m.directory) && m.source !== "meta") {
    // Two revisions resolved to the same snapshot: the other model still owns every file.
  } else if (m.source === "hf") {
    // <repo>/snapshots/<commit>: blobs live beside the snapshots, shared between revisions. Until a download
    // resolved its commit, the directory is the repo folder itself.
    const downloaded = path.basename(path.dirname(m.directory)) === "snapshots";
    const repoDir = downloaded ? path.dirname(path.dirname(m.directory)) : m.directory;
    if (!shared(repoDir)) {
      bytesFreed = await removeAll([repoDir, path.join(path.dirname(repoDir), ".locks", path.basename(repoDir))]);
    } else {
      bytesFreed = downloaded ? await removeAll([m.directory]) : 0;
      const keep = await linkedBlobs(repoDir);
      const blobs = await readdir(path.join(repoDir, "blobs")).catch(() => []);
      bytesFreed += await removeAll(blobs.filter((b) => !keep.has(b.replace(/\.incomplete$|\.partial(\.json)?$/, ""))).map((b) => path.join(repoDir, "blobs", b)));
    }
  } else if (m.source === "meta" && shared(m.directory)) {
    // Another model of the same Meta download keeps the shared files (tokenizer, licence).
    bytesFreed = await removeAll([path.join(m.directory, m.name)]);
  } else {
    bytesFreed = await removeAll([m.directory]);
  }
  await db().model.delete({ where: { id: m.id } });
  return { name: m.name, bytesFreed };
}
