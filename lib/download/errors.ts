import { DepotError } from "../errors";

/** Why a transfer failed. Closed set: callers map each code to retry / permanent failure in one place. */
export type DownloadErrorCode =
  | "expired" // signed link past its expiry (Meta)
  | "forbidden" // 403 for another reason (download limit, no access to a gated repo)
  | "unauthorized" // 401: token missing or invalid
  | "not_found"
  | "no_space" // too little disk before starting, or ENOSPC mid-way
  | "checksum_mismatch"
  | "size_mismatch" // server size differs from what the caller expected
  | "unsafe_path" // a remote file name would escape its directory
  | "egress" // the host or its address is outside the egress policy (lib/download/egress.ts)
  | "http" // any other HTTP failure (after retries for 5xx)
  | "network" // connection errors after retries
  | "io" // local file system error other than ENOSPC
  | "aborted"
  | "stalled"
  | "busy"; // another process is downloading the same file

export interface DownloadErrorOptions {
  status?: number;
  /** The server's own reason (S3/CloudFront `<Code>: <Message>`, hub JSON `error`), never a URL. */
  reason?: string;
  expected?: { bytes?: number; md5?: string; sha256?: string };
  actual?: { bytes?: number; md5?: string; sha256?: string };
  cause?: unknown;
}

/**
 * Every transfer failure of `lib/download` and the sources built on it. `retryable` says whether running the
 * same job again can help (network trouble, 5xx, stalls); an expired link, missing access, full disk or a bad
 * checksum need a person first.
 */
export class DownloadError extends DepotError<DownloadErrorCode> {
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly expected: DownloadErrorOptions["expected"];
  readonly actual: DownloadErrorOptions["actual"];

  constructor(code: DownloadErrorCode, message: string, opts: DownloadErrorOptions = {}) {
    super(code, message, isRetryableFailure(code, opts.status));
    if (opts.cause !== undefined) this.cause = opts.cause;
    this.status = opts.status;
    this.reason = opts.reason;
    this.expected = opts.expected;
    this.actual = opts.actual;
  }
}

function isRetryableFailure(code: DownloadErrorCode, status: number | undefined): boolean {
  if (code === "network" || code === "stalled" || code === "busy") return true;
  return code === "http" && status !== undefined && (status >= 500 || status === 408 || status === 429);
}
