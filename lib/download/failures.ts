import path from "node:path";
import { DownloadError } from "./errors";
import type { HttpGet, RemoteReply } from "./transport";
import { redactUrl } from "./redact-url";

/** One GET; a thrown connection error becomes a retryable `network` failure. */
export async function request(
  get: HttpGet,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<RemoteReply> {
  try {
    return await get(url, headers, signal);
  } catch (err) {
    if (signal?.aborted || err instanceof DownloadError) throw err; // an egress refusal stays permanent
    throw new DownloadError("network", `cannot reach ${redactUrl(url)}: ${describe(err)}`, { cause: err });
  }
}

/** Classifies anything a download attempt threw; `dest` names the file in disk errors. */
export function asDownloadError(err: unknown, params: { dest: string; signal?: AbortSignal }): DownloadError {
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

export function abortedError(signal: AbortSignal): DownloadError {
  const reason: unknown = signal.reason;
  if (reason instanceof DownloadError) return reason;
  return new DownloadError("aborted", "download aborted; downloaded bytes are kept", { cause: reason });
}

/** Only the error code (ECONNRESET, ENOENT): raw socket messages name addresses and ports a user must not map. */
export function describe(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === "string" ? code : "connection error";
}

/** Waits before the next attempt: exponential from 250 ms, capped at 10 s, with jitter; ends early on abort. */
export function backoff(failures: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = Math.min(10_000, 250 * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
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
