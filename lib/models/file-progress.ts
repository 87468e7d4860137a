import { db } from "../db/prisma";
import type { JobProgress } from "../queue/payloads";

type FileState = { path: string; bytesDone: number; bytesTotal: number; speedBps: number; etaSeconds: number | null };

/**
 * Folds per-file progress (several files download at once) into one JobProgress with a `files` array, reporting
 * at most every `intervalMs` so the job row and Redis are not written for every chunk. `flush` sends the last state.
 */
export function createFileProgress(params: {
  report: (p: JobProgress) => Promise<void>;
  /** Known up front (from a catalog or listing) so the overall percentage does not jump as files start. */
  totalBytes?: number;
  message?: string;
  intervalMs?: number;
  /** What an earlier run of the same job last reported (a resumed download): see `floor`. */
  previous?: JobProgress | null;
}) {
  const files = new Map<string, FileState>();
  // A resumed run lists every file the last run did (finished ones are not fetched again, so they never report),
  // and a file's count does not drop below what was shown: the sidecar may trail the last report by a few writes.
  const floor = new Map<string, number>();
  for (const f of params.previous?.files ?? []) {
    files.set(f.path, { ...f, speedBps: 0, etaSeconds: null });
    floor.set(f.path, f.bytesDone);
  }
  let last = 0;
  let pending: Promise<void> = Promise.resolve();

  const snapshot = (): JobProgress => {
    const list = [...files.values()];
    const bytesDone = list.reduce((s, f) => s + f.bytesDone, 0);
    const known = list.reduce((s, f) => s + f.bytesTotal, 0);
    const bytesTotal = Math.max(params.totalBytes ?? 0, known);
    const speedBps = list.filter((f) => f.bytesDone < f.bytesTotal).reduce((s, f) => s + f.speedBps, 0);
    return {
      pct: bytesTotal > 0 ? Math.min(100, (bytesDone / bytesTotal) * 100) : 0,
      message: params.message,
      bytesDone,
      bytesTotal,
      speedBps,
      etaSeconds: speedBps > 0 ? (bytesTotal - bytesDone) / speedBps : null,
      files: list,
    };
  };

  const send = () => {
    last = Date.now();
    const p = snapshot();
    pending = pending.then(() => params.report(p)).catch(() => {});
  };

  return {
    update(f: FileState) {
      const seen = floor.get(f.path);
      const bytesDone = seen !== undefined && files.get(f.path)?.bytesTotal === f.bytesTotal ? Math.max(seen, f.bytesDone) : f.bytesDone;
      files.set(f.path, { ...f, bytesDone, etaSeconds: f.etaSeconds === null ? null : Math.round(f.etaSeconds) });
      if (Date.now() - last >= (params.intervalMs ?? 500)) send();
    },
    async flush() {
      send();
      await pending;
    },
  };
}

/** The progress a job's row last recorded, to seed a resumed run's `createFileProgress`. */
export async function lastProgress(jobId: string | undefined): Promise<JobProgress | null> {
  if (!jobId) return null;
  const row = await db().job.findUnique({ where: { id: jobId }, select: { progressJson: true } });
  return row?.progressJson ? (JSON.parse(row.progressJson) as JobProgress) : null;
}
