import { lstat, readdir, realpath } from "node:fs/promises";
import path from "node:path";

const inside = (dir: string, p: string) => p === dir || p.startsWith(dir + path.sep);

/**
 * Where a symbolic link in a model folder may lead: inside the folder; to a file of the same name beside the
 * folder (Meta's shared ../tokenizer.model); or into the Hugging Face cache's blobs (snapshots/<rev>/x → ../../blobs).
 */
function allowedTarget(root: string, link: string, target: string): boolean {
  if (inside(root, target)) return true;
  if (path.basename(target) === path.basename(link) && inside(path.dirname(root), target)) return true;
  return path.dirname(target) === path.join(path.dirname(path.dirname(root)), "blobs") && path.basename(path.dirname(root)) === "snapshots";
}

/**
 * A local model folder given to `depot verify` / `depot convert`: its symbolic links must not lead elsewhere
 * (allowedTarget), so a crafted folder cannot make the CLI read (and its errors describe) files such as ~/.ssh or /etc.
 */
export async function assertSelfContainedFolder(dir: string): Promise<void> {
  const root = await realpath(dir);
  const walk = async (rel: string): Promise<void> => {
    for (const name of await readdir(path.join(root, rel))) {
      const entry = path.join(rel, name);
      const info = await lstat(path.join(root, entry));
      if (info.isSymbolicLink()) {
        const target = await realpath(path.join(root, entry)).catch(() => undefined);
        if (!target || !allowedTarget(root, entry, target)) {
          throw new Error(`${entry} in ${dir} is a symbolic link that leaves the folder (or is broken): refused`);
        }
      } else if (info.isDirectory()) {
        await walk(entry);
      }
    }
  };
  await walk("");
}

/** An error as the CLI prints it: JSON.parse messages quote the start of the file, which is not shown. */
export function cliErrorMessage(err: Error): string {
  return err instanceof SyntaxError && /JSON/.test(err.message) ? "a file is not valid JSON" : err.message;
}
