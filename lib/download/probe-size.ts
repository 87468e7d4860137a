import type { DownloadFileParams } from "./download-file";
import { DownloadError } from "./errors";
import { backoff, request } from "./failures";
import { httpError, parseContentRange } from "./http";
import type { HttpGet, RemoteReply } from "./transport";
import { redactUrl } from "./redact-url";

/** Learns a file's size before the parts are planned, retrying what a retry can fix. */
export async function probeSize(
  get: HttpGet,
  urlOf: () => string,
  params: DownloadFileParams,
): Promise<{ total: number; response: RemoteReply | undefined }> {
  const maxRetries = params.maxRetries ?? 5;
  for (let failures = 0; ; ) {
    try {
      return await probeOnce(get, urlOf(), params);
    } catch (err) {
      if (!(err instanceof DownloadError) || !err.retryable || ++failures > maxRetries) throw err;
      await backoff(failures, params.signal);
    }
  }
}

/**
 * `Range: bytes=0-0` learns the size from Content-Range (206). An open-ended range would also work, but the server
 * would push a socket buffer's worth of bytes past part 0 before it could be cut. A 200 means the server ignores
 * Range: its body (Content-Length bytes) is kept as the only stream.
 */
async function probeOnce(
  get: HttpGet,
  url: string,
  params: DownloadFileParams,
): Promise<{ total: number; response: RemoteReply | undefined }> {
  // Bounded wait for headers; the body is then watched by part 0's watchdog, which cancels it on stall or abort.
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(params.signal?.reason);
  params.signal?.addEventListener("abort", onAbort, { once: true });
  const stallMs = params.stallMs ?? 30_000;
  const timer = setTimeout(() => ctrl.abort(new Error("no response")), stallMs);
  let res: RemoteReply;
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
