import { open, readFile, rm } from "node:fs/promises";
import { DownloadError } from "./errors";

/**
 * Cross-process guard for one destination: `<dest>.partial.lock` holds the owner's pid. A lock left by a dead
 * process (kill -9) is taken over; one held by a live process fails with `busy`, so two workers never write the
 * same `.partial` file. Returns the release function.
 */
export async function acquireLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, "wx");
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DownloadError("busy", `another process (pid ${pid}) is downloading this file; try again when it is done`);
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new DownloadError("busy", "could not take the download lock");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
