import { statfs as fsStatfs } from "node:fs/promises";
import { DownloadError } from "./errors";

export type StatfsFn = (dir: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

/** Fails fast with a clear message instead of discovering ENOSPC hours into a 130 GB download. */
export async function ensureFreeSpace(params: { dir: string; needBytes: number; statfs?: StatfsFn }): Promise<void> {
  if (params.needBytes <= 0) return;
  const s = await (params.statfs ?? fsStatfs)(params.dir);
  const free = Number(s.bavail) * Number(s.bsize);
  if (free < params.needBytes) {
    throw new DownloadError(
      "no_space",
      `not enough disk space in ${params.dir}: need ${formatBytes(params.needBytes)}, ${formatBytes(free)} free`,
    );
  }
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
