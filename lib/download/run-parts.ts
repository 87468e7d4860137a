import type { FileHandle } from "node:fs/promises";
import type { DownloadFileParams } from "./download-file";
import { DownloadError } from "./errors";
import { abortedError, asDownloadError, backoff, describe, request } from "./failures";
import { httpError, parseContentRange } from "./http";
import type { InOrderHasher } from "./in-order-hasher";
import { partSize, type DownloadState, type openStateWriter, type Part } from "./parts";
import type { createProgressMeter } from "./progress";
import type { HttpGet, RemoteReply } from "./transport";
import { redactUrl } from "./redact-url";

/** A part's received bytes are written once this many are pending... */
const FLUSH_BYTES = 1024 * 1024;
/** ...or once the oldest of them has waited this long. */
const FLUSH_MS = 25;

/** The server ignored `Range` for a part that does not start the file: re-plan as one stream from byte 0. */
class RangeIgnored extends Error {
  constructor(readonly response: RemoteReply) {
    super("server ignored Range");
  }
}
/** The remote size differs from the sidecar's: the partial bytes belong to another file version. */
export class SizeChanged extends Error {}

/** What the parts of one download share: the sized `.partial`, its sidecar, the hasher and the meter. */
export interface PartsRun {
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

/** Runs every unfinished part over a fixed number of connections; a server that ignores Range gets one stream. */
export async function runParts(ctx: PartsRun, first: RemoteReply | undefined): Promise<void> {
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
async function runPart(ctx: PartsRun, part: Part, first: RemoteReply | undefined, signal: AbortSignal): Promise<void> {
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
      await backoff(failures, signal);
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener("abort", onAbort);
    }
  }
}

/** Streams one response into the part's range. */
async function consume(
  ctx: PartsRun,
  part: Part,
  res: RemoteReply,
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
export function backgroundWriteback(fh: FileHandle) {
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

function sizeChanged(ctx: PartsRun, remoteTotal: number, url: string): Error {
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
