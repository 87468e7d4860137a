import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { ensureFreeSpace, type StatfsFn } from "./disk-space";
import type { DigestAlgorithm, Digests } from "./digester";
import { DownloadError } from "./errors";
import { abortedError, asDownloadError } from "./failures";
import { InOrderHasher } from "./in-order-hasher";
import { acquireLock } from "./lock-file";
import { openStateWriter, planParts, readState, type Part } from "./parts";
import { probeSize } from "./probe-size";
import { createProgressMeter, type DownloadProgress } from "./progress";
import { backgroundWriteback, runParts, SizeChanged, type PartsRun } from "./run-parts";
import { fetchTransport, nodeTransport, type RemoteReply } from "./transport";

export interface DownloadFileParams {
  /** A function is called before every request, so a fresh signed URL can replace an expired one mid-way. */
  url: string | (() => string);
  dest: string;
  /** Sent with every request (e.g. a hub token; the caller decides which origin may see it). */
  headers?: Record<string, string>;
  /** Skips the size probe; a server reporting another size fails with `size_mismatch`. */
  expectedBytes?: number;
  /** When given, a mismatch fails with `checksum_mismatch` and discards the bytes (they cannot be resumed). */
  expectedSha256?: string;
  expectedMd5?: string;
  /** Parallel Range requests. @default 8 */
  parts?: number;
  /** Smallest piece; a file is cut into up to `8 × parts` pieces, fetched in order. @default 64 MiB */
  minPartBytes?: number;
  /** At most 4 calls per second, plus one at the end. */
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Injected transport (tests, proxies). @default node:http(s), which is faster than the global fetch */
  fetch?: typeof fetch;
  /** A request with no bytes for this long is cut and retried. @default 30_000 */
  stallMs?: number;
  /** Failed attempts per part (counter resets whenever an attempt made progress). @default 5 */
  maxRetries?: number;
  /** Injectable for tests. @default fs.promises.statfs */
  statfs?: StatfsFn;
  /**
   * Digests to compute while the bytes stream, besides the expected ones: a source asks only for what it verifies
   * against (md5 for Meta's checklists, sha256 for Hub LFS files), so hashing costs one digest's CPU. @default both
   */
  digests?: readonly DigestAlgorithm[];
}

export interface DownloadResult {
  bytes: number;
  /** Computed when asked for in `digests` or expected. */
  md5?: string;
  sha256?: string;
  /** Bytes already on disk from an earlier run, not fetched again. */
  resumedBytes: number;
}

/**
 * Downloads one URL to `dest` with parallel Range requests into a pre-sized `<dest>.partial` and a parts sidecar
 * `<dest>.partial.json` (ollama's design): a crash, restart or new URL resumes without refetching finished bytes.
 * md5 and sha256 are computed while the bytes stream (see InOrderHasher). The finished file is fsynced and renamed
 * into place atomically.
 */
export async function downloadFile(params: DownloadFileParams): Promise<DownloadResult> {
  const dest = path.resolve(params.dest);
  // Two pulls in this process that need the same file (HF repos share blobs) share one download; if the first
  // fails (its caller aborted, its link expired), the next one tries with its own parameters.
  for (let running = inFlight.get(dest); running; running = inFlight.get(dest)) {
    try {
      return await running;
    } catch {
      // fall through to our own attempt
    }
  }
  const task = exclusive(dest, params);
  inFlight.set(dest, task);
  try {
    return await task;
  } finally {
    inFlight.delete(dest);
  }
}

const inFlight = new Map<string, Promise<DownloadResult>>();

async function exclusive(dest: string, params: DownloadFileParams): Promise<DownloadResult> {
  const partialPath = `${dest}.partial`;
  const statePath = `${partialPath}.json`;
  await mkdir(path.dirname(dest), { recursive: true });
  const release = await acquireLock(`${partialPath}.lock`);
  try {
    for (let restarts = 0; ; restarts++) {
      try {
        return await run(params, partialPath, statePath);
      } catch (err) {
        if (err instanceof SizeChanged && restarts >= 1) throw new DownloadError("http", err.message);
        if (!(err instanceof SizeChanged)) throw asDownloadError(err, params);
        await discard(partialPath, statePath);
      }
    }
  } finally {
    await release();
  }
}

async function run(params: DownloadFileParams, partialPath: string, statePath: string): Promise<DownloadResult> {
  const get = params.fetch ? fetchTransport(params.fetch) : nodeTransport;
  const urlOf = typeof params.url === "function" ? params.url : () => params.url as string;
  const dir = path.dirname(params.dest);
  if (params.signal?.aborted) throw abortedError(params.signal);

  let state = await readState(statePath, partialPath);
  if (state && params.expectedBytes !== undefined && state.total !== params.expectedBytes) state = null;
  let first: RemoteReply | undefined;
  if (state) {
    const done = state.parts.reduce((s, p) => s + p.done, 0);
    await ensureFreeSpace({ dir, needBytes: state.total - done, statfs: params.statfs });
  } else {
    let total = params.expectedBytes;
    let rangeless = false;
    if (total === undefined) {
      // Unknown size: ask for one byte. A server that ignores Range answers 200 and that body becomes the stream.
      const probed = await probeSize(get, urlOf, params);
      total = probed.total;
      first = probed.response;
      rangeless = probed.response?.status === 200;
    }
    try {
      await ensureFreeSpace({ dir, needBytes: total, statfs: params.statfs });
    } catch (err) {
      await first?.cancel();
      throw err;
    }
    const size = total;
    const parts: Part[] = rangeless
      ? [{ start: 0, end: size, done: 0 }].filter((p) => p.end > 0)
      : planParts({ total: size, connections: params.parts ?? 8, minPartBytes: params.minPartBytes ?? 64 * 1024 * 1024 });
    state = { version: 1, total: size, parts };
    const fh = await open(partialPath, "w");
    try {
      await fh.truncate(size);
    } finally {
      await fh.close();
    }
  }

  const resumedBytes = state.parts.reduce((s, p) => s + p.done, 0);
  const fh = await open(partialPath, "r+");
  const ctx: PartsRun = {
    state,
    fh,
    hasher: new InOrderHasher(fh, state, partialPath, digestAlgorithms(params)),
    meter: createProgressMeter({ total: state.total, done: resumedBytes, onProgress: params.onProgress }),
    signal: params.signal ?? new AbortController().signal,
    params,
    get,
    urlOf,
    sidecar: await openStateWriter(statePath, state),
    writeback: backgroundWriteback(fh),
  };
  let digests: Digests;
  try {
    ctx.hasher.kick(); // re-hash the prefix an earlier run left on disk, concurrently with the download
    await runParts(ctx, first);
    digests = await ctx.hasher.digest();
    await ctx.writeback.settle();
    await fh.sync();
  } finally {
    await ctx.sidecar.close();
    await ctx.writeback.settle().catch(() => {}); // already failing, or thrown above
    await ctx.hasher.close();
    await fh.close();
  }
  ctx.meter.finish();

  const mismatch =
    (params.expectedSha256 !== undefined && params.expectedSha256.toLowerCase() !== digests.sha256) ||
    (params.expectedMd5 !== undefined && params.expectedMd5.toLowerCase() !== digests.md5);
  if (mismatch) {
    await discard(partialPath, statePath);
    throw new DownloadError(
      "checksum_mismatch",
      `checksum mismatch for ${path.basename(params.dest)}: expected ${params.expectedSha256 ?? params.expectedMd5}, got ${params.expectedSha256 ? digests.sha256 : digests.md5}`,
      {
        expected: { sha256: params.expectedSha256, md5: params.expectedMd5 },
        actual: { bytes: state.total, ...digests },
      },
    );
  }
  await rename(partialPath, params.dest);
  await fsyncDir(path.dirname(params.dest));
  await rm(statePath, { force: true });
  return { bytes: state.total, ...digests, resumedBytes };
}

function digestAlgorithms(params: DownloadFileParams): DigestAlgorithm[] {
  const wanted = new Set<DigestAlgorithm>(params.digests ?? ["md5", "sha256"]);
  if (params.expectedMd5 !== undefined) wanted.add("md5");
  if (params.expectedSha256 !== undefined) wanted.add("sha256");
  return [...wanted];
}

async function fsyncDir(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

async function discard(partialPath: string, statePath: string): Promise<void> {
  await rm(partialPath, { force: true });
  await rm(statePath, { force: true });
}
