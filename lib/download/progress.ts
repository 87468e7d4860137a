export interface DownloadProgress {
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds of this run (resumed bytes don't count). */
  speedBps: number;
  /** `null` until a speed is known. */
  etaSeconds: number | null;
}

const WINDOW_MS = 5_000;

/** Accumulates written bytes and reports at most once per `intervalMs` (4/s by default), plus a final report. */
export function createProgressMeter(params: {
  total: number;
  done: number;
  onProgress?: (p: DownloadProgress) => void;
  intervalMs?: number;
}) {
  const interval = params.intervalMs ?? 250;
  let bytesDone = params.done;
  let lastEmit = Date.now();
  const samples: Array<[number, number]> = [[lastEmit, bytesDone]];

  const emit = (t: number) => {
    lastEmit = t;
    samples.push([t, bytesDone]);
    while (samples.length > 2 && (samples[1]?.[0] ?? t) < t - WINDOW_MS) samples.shift();
    const [t0, b0] = samples[0] ?? [t, bytesDone];
    const speedBps = t > t0 ? ((bytesDone - b0) * 1000) / (t - t0) : 0;
    params.onProgress?.({
      bytesDone,
      bytesTotal: params.total,
      speedBps,
      etaSeconds: speedBps > 0 ? (params.total - bytesDone) / speedBps : null,
    });
  };

  return {
    add(n: number) {
      bytesDone += n;
      const t = Date.now();
      if (params.onProgress && t - lastEmit >= interval) emit(t);
    },
    finish() {
      if (params.onProgress) emit(Date.now());
    },
  };
}
