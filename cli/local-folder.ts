import { lstat, readdir, realpath } from "node:fs/promises";
import path from "node:path";

/**
 * A local model folder given to `depot verify` / `depot convert`: every symbolic link in it must stay inside it,
 * so a crafted folder cannot make the CLI read (and its errors describe) files elsewhere, such as ~/.ssh or /etc.
 */
export async function assertSelfContainedFolder(dir: string): Promise<void> {
  const root = await realpath(dir);
  const walk = async (rel: string): Promise<void> => {
    for (const name of await readdir(path.join(root, rel))) {
      const entry = path.join(rel, name);
      const info = await lstat(path.join(root, entry));
      if (info.isSymbolicLink()) {
        const target = await realpath(path.join(root, entry)).catch(() => undefined);
        if (!target || (target !== root && !target.startsWith(root + path.sep))) {
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
