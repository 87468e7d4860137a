import type { DownloadProgress } from "./progress";

/** What a pull of many files (Meta, Hugging Face) passes down to downloadEach and to the engine for each file. */
export interface PullTransferOptions {
  onProgress?: (p: DownloadProgress & { path: string }) => void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Files downloaded at once. @default 3 */
  concurrency?: number;
  /** Passed to the engine for each file. */
  parts?: number;
  minPartBytes?: number;
}

/**
 * Runs `fetch` for every item, `concurrency` at a time: the files of one pull (Meta or Hugging Face). The first
 * failure aborts the others through the signal they receive (each keeps its partial bytes for the next attempt)
 * and is rethrown once all have stopped; aborting `signal` stops them all.
 */
export async function downloadEach<T>(params: {
  items: readonly T[];
  concurrency?: number;
  signal?: AbortSignal;
  fetch: (item: T, signal: AbortSignal) => Promise<void>;
}): Promise<void> {
  const abort = new AbortController();
  const onAbort = () => abort.abort(params.signal?.reason);
  params.signal?.addEventListener("abort", onAbort, { once: true });
  let failure: unknown;
  const queue = [...params.items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined && failure === undefined; item = queue.shift()) {
      try {
        await params.fetch(item, abort.signal);
      } catch (err) {
        failure ??= err;
        abort.abort(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: params.concurrency ?? 3 }, worker));
  } finally {
    params.signal?.removeEventListener("abort", onAbort);
  }
  if (failure !== undefined) throw failure;
}
