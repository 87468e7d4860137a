/**
 * Base of every domain error: a stable `code` for callers and UIs, and whether trying again can help.
 * Module errors (DownloadError, ConvertError, …) extend it with their own closed code unions.
 */
export class DepotError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One readable line per invalid field ("password: at least 8 characters"), for the API and the CLI alike. */
export function describeZodError(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return err.issues.map((i) => `${i.path.map(String).join(".") || "input"}: ${i.message}`).join("; ");
}

/** Whether a failed job should be retried: only errors that say so, plus anything unknown (network, crashes). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof DepotError) return err.retryable;
  if (err && typeof err === "object" && "retryable" in err) return Boolean((err as { retryable: unknown }).retryable);
  if (err && typeof err === "object" && (err as { name?: string }).name === "ZodError") return false;
  return true;
}
