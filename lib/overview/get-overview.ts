import { statfs } from "node:fs/promises";
import { readdir, lstat } from "node:fs/promises";
import path from "node:path";
import { config } from "../config/env";
import type { MetricsSnapshot } from "../metrics/collect-metrics";
import { readMetricsHistory } from "../metrics/metrics-history";
import { listWorkers, type WorkerDto } from "../workers/list-workers";
import { queueCounts, type QueueCounts } from "../queue/queues";

export type OverviewDto = {
  queues: Record<string, QueueCounts>;
  workers: WorkerDto[];
  disk: { dataDir: string; usedBytes: number; freeBytes: number; totalBytes: number };
  /** Disks under DISK_WARN_FREE_PERCENT free, with a sentence for the Overview. */
  diskAlerts: string[];
  /** Samples of the /metrics numbers over the last hour, for the charts. */
  history: MetricsSnapshot[];
};

let duCache: { at: number; bytes: number } | undefined;

async function du(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await du(p);
    else if (e.isFile()) total += (await lstat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Disk use of DATA_DIR; walking a model store is not free, so the result is reused for 10 s. */
async function dataDirUsage(): Promise<number> {
  if (duCache && Date.now() - duCache.at < 10_000) return duCache.bytes;
  duCache = { at: Date.now(), bytes: await du(config().dataDir) };
  return duCache.bytes;
}

function diskAlerts(disks: { where: string; freeBytes: number; totalBytes: number }[]): string[] {
  const limit = config().DISK_WARN_FREE_PERCENT;
  return disks
    .filter((d) => d.totalBytes > 0 && (d.freeBytes / d.totalBytes) * 100 < limit)
    .map((d) => `${d.where}: only ${((d.freeBytes / d.totalBytes) * 100).toFixed(1)}% free (${(d.freeBytes / 2 ** 30).toFixed(1)} GiB); delete models or run garbage collection`);
}


export async function getOverview(): Promise<OverviewDto> {
  const dir = config().dataDir;
  const [queues, workers, usedBytes, fs, history] = await Promise.all([
    queueCounts(),
    listWorkers(),
    dataDirUsage(),
    statfs(dir).catch(() => null),
    readMetricsHistory(),
  ]);
  const disk = { dataDir: dir, usedBytes, freeBytes: fs ? fs.bavail * fs.bsize : 0, totalBytes: fs ? fs.blocks * fs.bsize : 0 };
  return {
    queues,
    workers,
    disk,
    diskAlerts: diskAlerts([{ where: `web (${dir})`, ...disk }, ...workers.filter((w) => w.online && w.disk).map((w) => ({ where: `worker ${w.name}`, ...w.disk! }))]),
    history,
  };
}
