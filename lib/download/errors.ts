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
  | "http" // any other HTTP failure (after retries for 5xx)
  | "network" // connection errors after retries
  | "io" // local file system error other than ENOSPC
  | "aborted"
  | "stalled";

export interface DownloadErrorOptions {
  status?: number;
  /** The server's own reason (S3/CloudFront `<Code>: <Message>`, hub JSON `error`), never a URL. */
  reason?: string;
  expected?: { bytes?: number; md5?: string; sha256?: string };
  actual?: { bytes?: number; md5?: string; sha256?: string };
  cause?: unknown;
}

export class DownloadError extends Error {
  override readonly name = "DownloadError";
  readonly code: DownloadErrorCode;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly expected: DownloadErrorOptions["expected"];
  readonly actual: DownloadErrorOptions["actual"];

  constructor(code: DownloadErrorCode, message: string, opts: DownloadErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.status = opts.status;
    this.reason = opts.reason;
    this.expected = opts.expected;
    this.actual = opts.actual;
  }
}
