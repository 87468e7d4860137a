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

/**
 * Work stopped because its signal was aborted (a user's cancel, a client that went away). Its message stays
 * "cancelled": the worker and the stream events have always read it so.
 */
export class CancelledError extends DepotError<"cancelled"> {
  constructor() {
    super("cancelled", "cancelled");
  }
}
