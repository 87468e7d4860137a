import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { ensureFreeSpace, type StatfsFn } from "./disk-space";
import type { DigestAlgorithm, Digests } from "./digester";
import { DownloadError } from "./errors";
import { httpError, parseContentRange } from "./http";
import { InOrderHasher } from "./in-order-hasher";
import { acquireLock } from "./lock-file";
import { openStateWriter, partSize, planParts, readState, type DownloadState, type Part } from "./parts";
import { createProgressMeter, type DownloadProgress } from "./progress";
import { fetchTransport, nodeTransport, type HttpGet, type HttpResponse } from "./transport";
import { redactUrl } from "./redact-url";

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

/** A part's received bytes are written once this many are pending... */
const FLUSH_BYTES = 1024 * 1024;
/** ...or once the oldest of them has waited this long. */
const FLUSH_MS = 25;

/** The server ignored `Range` for a part that does not start the file: re-plan as one stream from byte 0. */
class RangeIgnored extends Error {
  constructor(readonly response: HttpResponse) {
    super("server ignored Range");
  }
}
/** The remote size differs from the sidecar's: the partial bytes belong to another file version. */
class SizeChanged extends Error {}

interface Ctx {
  state: DownloadState;
  fh: FileHandle;
  hasher: InOrderHasher;
  meter: ReturnType<typeof createProgressMeter>;
  /** Aborted by the caller's signal. */
  signal: AbortSignal;
  params: DownloadFileParams;
  get: HttpGet;
  urlOf: () => string;
  sidecar: Awaited<ReturnType<typeof openStateWriter>>;
  writeback: ReturnType<typeof backgroundWriteback>;
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
  throwIfAborted(params.signal);

  let state = await readState(statePath, partialPath);
  if (state && params.expectedBytes !== undefined && state.total !== params.expectedBytes) state = null;
  let first: HttpResponse | undefined;
  if (state) {
    const done = state.parts.reduce((s, p) => s + p.done, 0);
    await ensureFreeSpace({ dir, needBytes: state.total - done, statfs: params.statfs });
  } else {
    let total = params.expectedBytes;
    let rangeless = false;
    if (total === undefined) {
      // Unknown size: ask for one byte. A server that ignores Range answers 200 and that body becomes the stream.
      const probed = await probeWithRetries(get, urlOf, params);
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
  const ctx: Ctx = {
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

async function probeWithRetries(
  get: HttpGet,
  urlOf: () => string,
  params: DownloadFileParams,
): Promise<{ total: number; response: HttpResponse | undefined }> {
  const maxRetries = params.maxRetries ?? 5;
  for (let failures = 0; ; ) {
    try {
      return await probe(get, urlOf(), params);
    } catch (err) {
      if (!(err instanceof DownloadError) || !err.retryable || ++failures > maxRetries) throw err;
      await sleep(Math.min(10_000, 250 * 2 ** (failures - 1)) * (0.5 + Math.random() / 2), params.signal);
    }
  }
}

/**
 * `Range: bytes=0-0` learns the size from Content-Range (206). An open-ended range would also work, but the server
 * would push a socket buffer's worth of bytes past part 0 before it could be cut. A 200 means the server ignores
 * Range: its body (Content-Length bytes) is kept as the only stream.
 */
async function probe(
  get: HttpGet,
  url: string,
  params: DownloadFileParams,
): Promise<{ total: number; response: HttpResponse | undefined }> {
  // Bounded wait for headers; the body is then watched by part 0's watchdog, which cancels it on stall or abort.
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(params.signal?.reason);
  params.signal?.addEventListener("abort", onAbort, { once: true });
  const stallMs = params.stallMs ?? 30_000;
  const timer = setTimeout(() => ctrl.abort(new Error("no response")), stallMs);
  let res: HttpResponse;
  try {
    res = await request(get, url, { ...params.headers, Range: "bytes=0-0" }, ctrl.signal);
  } catch (err) {
    if (params.signal?.aborted || !ctrl.signal.aborted) throw err;
    throw new DownloadError("network", `no response from ${redactUrl(url)} within ${stallMs} ms`, { cause: err });
  } finally {
    clearTimeout(timer);
    params.signal?.removeEventListener("abort", onAbort);
  }
  if (res.status === 206) {
    const total = parseContentRange(res.headers.get("content-range"))?.total;
    await res.cancel();
    if (total == null) throw new DownloadError("http", `no size in Content-Range from ${redactUrl(url)}`, { status: 206 });
    return { total, response: undefined };
  }
  if (res.status === 200) {
    const len = res.headers.get("content-length");
    if (len === null) {
      await res.cancel();
      throw new DownloadError("http", `no Content-Length from ${redactUrl(url)}`, { status: 200 });
    }
    return { total: Number(len), response: res };
  }
  if (res.status === 416) {
    // Only an empty file cannot satisfy `bytes=0-0`.
    const total = parseContentRange(res.headers.get("content-range"))?.total;
    await res.cancel();
    if (total === 0) return { total: 0, response: undefined };
  }
  throw await httpError(res, url);
}

async function request(
  get: HttpGet,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  try {
    return await get(url, headers, signal);
  } catch (err) {
    if (signal?.aborted || err instanceof DownloadError) throw err; // an egress refusal stays permanent
    throw new DownloadError("network", `cannot reach ${redactUrl(url)}: ${describe(err)}`, { cause: err });
  }
}

async function runParts(ctx: Ctx, first: HttpResponse | undefined): Promise<void> {
  const inner = new AbortController();
  const onAbort = () => inner.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  let firstError: unknown;
  try {
    // Pieces go out in file order to a fixed number of connections (see planParts).
    const todo = ctx.state.parts.filter((p) => p.done < partSize(p));
    const worker = async () => {
      for (let p = todo.shift(); p && !inner.signal.aborted; p = todo.shift()) {
        await runPart(ctx, p, p.start === 0 && p.done === 0 ? first : undefined, inner.signal);
      }
    };
    const connections = Math.max(1, Math.min(ctx.params.parts ?? 8, todo.length));
    await Promise.all(
      Array.from({ length: connections }, () =>
        worker().catch((err: unknown) => {
          firstError ??= err;
          inner.abort(err);
        }),
      ),
    );
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
  if (ctx.signal.aborted) throw abortedError(ctx.signal);
  if (firstError instanceof RangeIgnored) {
    // One stream from byte 0; bytes already on disk are rewritten with the same content.
    ctx.state.parts = [{ start: 0, end: ctx.state.total, done: 0 }];
    ctx.sidecar.update();
    await runPart(ctx, ctx.state.parts[0] as Part, firstError.response, ctx.signal);
    return;
  }
  if (firstError !== undefined) throw firstError;
}

/** `signal` ends this part: the caller aborted, or another part failed for good. */
async function runPart(ctx: Ctx, part: Part, first: HttpResponse | undefined, signal: AbortSignal): Promise<void> {
  const stallMs = ctx.params.stallMs ?? 30_000;
  const maxRetries = ctx.params.maxRetries ?? 5;
  let failures = 0;
  let stalls = 0;
  let pending = first;
  while (part.done < partSize(part)) {
    if (signal.aborted) throw abortedError(signal);
    const attempt = new AbortController();
    const onAbort = () => attempt.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let lastByteAt = Date.now();
    let stalled = false;
    const watchdog = setInterval(
      () => {
        if (Date.now() - lastByteAt > stallMs) {
          stalled = true;
          attempt.abort(new Error("stalled"));
        }
      },
      Math.max(50, Math.min(1000, stallMs / 4)),
    );
    const before = part.done;
    try {
      const url = ctx.urlOf();
      const res =
        pending ??
        (await request(
          ctx.get,
          url,
          { ...ctx.params.headers, Range: `bytes=${part.start + part.done}-${part.end - 1}` },
          attempt.signal,
        ));
      pending = undefined;
      await consume(ctx, part, res, url, attempt.signal, () => (lastByteAt = Date.now()));
    } catch (err) {
      pending = undefined;
      if (signal.aborted) throw abortedError(signal);
      if (stalled) {
        if (++stalls > maxRetries) {
          throw new DownloadError("stalled", `no data for ${stallMs} ms from ${redactUrl(ctx.urlOf())}, gave up`);
        }
        continue;
      }
      if (err instanceof RangeIgnored || err instanceof SizeChanged) throw err;
      const e = asDownloadError(err, ctx.params);
      if (!e.retryable) throw e;
      if (part.done > before) failures = 0;
      if (++failures > maxRetries) throw e;
      await sleep(Math.min(10_000, 250 * 2 ** (failures - 1)) * (0.5 + Math.random() / 2), signal);
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener("abort", onAbort);
    }
  }
}

/** Streams one response into the part's range. */
async function consume(
  ctx: Ctx,
  part: Part,
  res: HttpResponse,
  url: string,
  signal: AbortSignal,
  touch: () => void,
): Promise<void> {
  const total = ctx.state.total;
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get("content-range"));
    if (cr?.total != null && cr.total !== total) {
      await res.cancel();
      throw sizeChanged(ctx, cr.total, url);
    }
    if (cr?.start !== part.start + part.done) {
      await res.cancel();
      throw new DownloadError("http", `unexpected Content-Range from ${redactUrl(url)}`, { status: 206 });
    }
  } else if (res.status === 200) {
    if (part.start !== 0 || part.end !== total) throw new RangeIgnored(res);
    part.done = 0; // a full body restarts the only part from byte 0
  } else if (res.status === 416) {
    const remoteTotal = parseContentRange(res.headers.get("content-range"))?.total;
    await res.cancel();
    if (remoteTotal != null && remoteTotal !== total) throw sizeChanged(ctx, remoteTotal, url);
    throw new DownloadError("http", `range not satisfiable at ${redactUrl(url)}`, { status: 416 });
  } else {
    throw await httpError(res, url);
  }
  // A response opened under another signal (the size probe) must still yield to this attempt's watchdog.
  const cancel = () => void res.cancel();
  signal.addEventListener("abort", cancel, { once: true });
  // Received chunks are written as they came off the socket, many per positional writev (no copy into a
  // write buffer), once FLUSH_BYTES are pending or the oldest pending byte is FLUSH_MS old: large writes at
  // speed, and at most a few hundred KiB per part lost to a kill -9 on a slow link.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let pendingSince = 0;
  let writeFailed = false;
  const size = partSize(part);
  const flush = async () => {
    if (pendingBytes === 0) return;
    const bufs = pending;
    const n = pendingBytes;
    pending = [];
    pendingBytes = 0;
    const offset = part.start + part.done;
    try {
      await writeAll(ctx.fh, bufs, n, offset);
    } catch (err) {
      writeFailed = true;
      throw err;
    }
    part.done += n;
    ctx.sidecar.update();
    ctx.meter.add(n);
    ctx.hasher.onWritten();
    ctx.writeback.add(n);
  };
  try {
    while (part.done + pendingBytes < size) {
      let batch: Uint8Array[] | null;
      try {
        batch = await res.read();
      } catch (err) {
        if (signal.aborted) throw err;
        throw new DownloadError("network", `connection lost from ${redactUrl(url)}: ${describe(err)}`, { cause: err });
      }
      if (!batch) break;
      touch();
      if (pendingBytes === 0) pendingSince = performance.now();
      for (const chunk of batch) {
        const room = size - part.done - pendingBytes;
        if (room <= 0) break;
        const c = chunk.length > room ? chunk.subarray(0, room) : chunk;
        pending.push(c);
        pendingBytes += c.length;
      }
      if (pendingBytes >= FLUSH_BYTES || performance.now() - pendingSince >= FLUSH_MS) await flush();
    }
  } finally {
    // Bytes already received are valid at their offsets: keep them even when the attempt ends in an error.
    signal.removeEventListener("abort", cancel);
    if (!writeFailed) await flush();
    await res.cancel();
  }
  if (part.done < size) {
    if (signal.aborted) throw signal.reason;
    throw new DownloadError("network", `connection closed early by ${redactUrl(url)}`);
  }
}

/** Bytes written between background `fdatasync` calls. */
const WRITEBACK_BYTES = 128 * 1024 * 1024;

/**
 * Flushes dirty pages to disk while the download runs, one `fdatasync` at a time, so the fsync of the atomic
 * finalize has little left to write (it took 0.2-0.4 s per GiB here, now ~0.04 s). Linux reports a writeback error
 * to an fd once, so an error seen here is kept and thrown by `settle()` before the final fsync, never swallowed.
 */
function backgroundWriteback(fh: FileHandle) {
  let unsynced = 0;
  let inFlight: Promise<void> | null = null;
  let failure: unknown = null;
  return {
    add(bytes: number): void {
      unsynced += bytes;
      if (unsynced < WRITEBACK_BYTES || inFlight || failure) return;
      unsynced = 0;
      inFlight = fh
        .datasync()
        .catch((err: unknown) => {
          failure = err;
        })
        .finally(() => {
          inFlight = null;
        });
    },
    /** Waits for the sync in flight; throws the first background sync error. */
    async settle(): Promise<void> {
      await inFlight;
      if (failure) throw failure;
    },
  };
}

function sizeChanged(ctx: Ctx, remoteTotal: number, url: string): Error {
  if (ctx.params.expectedBytes !== undefined) {
    return new DownloadError(
      "size_mismatch",
      `${redactUrl(url)} has ${remoteTotal} bytes, expected ${ctx.params.expectedBytes}`,
      { expected: { bytes: ctx.params.expectedBytes }, actual: { bytes: remoteTotal } },
    );
  }
  return new SizeChanged(`remote size changed to ${remoteTotal}`);
}

/** One pwritev per call in the common case; a short write continues from where it stopped. */
async function writeAll(fh: FileHandle, bufs: Uint8Array[], bytes: number, offset: number): Promise<void> {
  for (let at = 0; ; ) {
    const { bytesWritten } = await fh.writev(bufs, offset + at);
    at += bytesWritten;
    if (at >= bytes) return;
    let skip = bytesWritten;
    while (skip > 0 && bufs.length > 0) {
      const head = bufs[0] as Uint8Array;
      if (head.length <= skip) {
        skip -= head.length;
        bufs = bufs.slice(1);
      } else {
        bufs = [head.subarray(skip), ...bufs.slice(1)];
        skip = 0;
      }
    }
  }
}

function asDownloadError(err: unknown, params: DownloadFileParams): DownloadError {
  if (err instanceof DownloadError) return err;
  if (params.signal?.aborted) return abortedError(params.signal);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new DownloadError(
      "no_space",
      `disk full while writing ${path.basename(params.dest)} in ${path.dirname(params.dest)}: free some space and resume; downloaded bytes are kept`,
      { cause: err },
    );
  }
  if (typeof code === "string" && (err as NodeJS.ErrnoException).syscall) {
    return new DownloadError("io", `file system error on ${path.basename(params.dest)}: ${describe(err)}`, {
      cause: err,
    });
  }
  return new DownloadError("network", `download failed: ${describe(err)}`, { cause: err });
}

function abortedError(signal: AbortSignal): DownloadError {
  const reason: unknown = signal.reason;
  if (reason instanceof DownloadError) return reason;
  return new DownloadError("aborted", "download aborted; downloaded bytes are kept", { cause: reason });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}

/** Only the error code (ECONNRESET, ENOENT): raw socket messages name addresses and ports a user must not map. */
function describe(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === "string" ? code : "connection error";
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
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

