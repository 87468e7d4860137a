import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { safeJoin } from "../../download";

/**
 * Python huggingface_hub's cache layout, so `HF_HOME=<hfHome>` on the same machine reuses our files:
 * `<hfHome>/hub/models--org--name/{blobs/<etag>, snapshots/<commit>/<path> → ../../blobs/<etag>, refs/<revision>}`.
 */
export function repoCacheDir(hfHome: string, repo: string): string {
  return path.join(hfHome, "hub", `models--${repo.replace("/", "--")}`);
}

/** Points `snapshots/<commit>/<relPath>` at the blob with a relative link, replacing an older link. */
export async function linkSnapshot(params: { snapshotDir: string; relPath: string; blobPath: string }): Promise<string> {
  const link = safeJoin(params.snapshotDir, params.relPath);
  await mkdir(path.dirname(link), { recursive: true });
  await rm(link, { force: true });
  await symlink(path.relative(path.dirname(link), params.blobPath), link);
  return link;
}

/** `refs/<revision>` holds the commit hash (no newline), as huggingface_hub writes it. */
export async function writeRef(params: { repoDir: string; revision: string; commit: string }): Promise<void> {
  const file = safeJoin(path.join(params.repoDir, "refs"), params.revision);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, params.commit);
}
