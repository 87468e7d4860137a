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
}) {
  const files = new Map<string, FileState>();
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
      files.set(f.path, { ...f, etaSeconds: f.etaSeconds === null ? null : Math.round(f.etaSeconds) });
      if (Date.now() - last >= (params.intervalMs ?? 500)) send();
    },
    async flush() {
      send();
      await pending;
    },
  };
}
