import { ZodError } from "zod";
import { DepotError, describeZodError } from "../errors";

/** An error that app route handlers throw with its HTTP status; lib modules throw their own DepotError instead. */
export class HttpError extends DepotError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

export const unauthorized = () => new HttpError(401, "unauthorized", "sign in or send an API key");
export const forbidden = (what = "this action") => new HttpError(403, "forbidden", `your role may not perform ${what}`);
export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);
export const badRequest = (message: string) => new HttpError(400, "bad_request", message);

/**
 * The one map from lib errors to HTTP: by error class (its `name`), the status of each code that is not the
 * caller's fault in the plain sense (400, the default of every DepotError). Route handlers, the OpenAI-compatible
 * API and the worker's retry decision all read it.
 */
const STATUS: Record<string, Record<string, number>> = {
  AccessError: { not_found: 404, exists: 409 },
  CredentialError: { not_found: 404 },
  HfError: { repo_not_found: 404, revision_not_found: 404, gated: 403, hub_unreachable: 502 },
  JobError: { not_found: 404, not_owner: 403, interactive: 409, not_failed: 409, finished: 409, active: 409 },
  ModelPlacementError: { too_large: 409, split_unsupported: 409 },
  ModelError: { not_found: 404, not_owner: 403, not_ready: 409, busy: 409, exists: 409, finished: 409, not_finished: 409, outside_data_dir: 409 },
  PlaygroundError: { not_found: 404 },
  QueueFullError: { queue_full: 429 },
  RunError: { not_found: 404, finished: 409, model_deleted: 409, quota: 429 },
  StoreError: { not_on_worker: 409 },
  UploadError: { not_found: 404, exists: 409, offset_mismatch: 409, incomplete: 409, too_large: 413, invalid_gguf: 422, invalid_checkpoint: 422, in_folder: 409, no_space: 507 },
  UserError: { exists: 409, setup_done: 409 },
};

/** Where /v1 answers otherwise: OpenAI clients expect 404 for an unknown model and 5xx for a failed generation. */
const OPENAI_STATUS: Record<string, Record<string, number>> = {
  InferenceError: { model_not_found: 404, model_not_ready: 409, no_gguf: 409, failed: 500 },
};

export type ErrorReply = {
  status: number;
  code: string;
  message: string;
  /** Fields beside code and message in the body's `error` (a run upload's bad rows). */
  detail?: Record<string, unknown>;
  /** Fields beside `error` in the body (where an upload continues). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
};

/** What an error answers over HTTP; null for an unexpected one (a 500 whose cause only the server log shows). */
export function errorReply(err: unknown, surface: "api" | "openai" = "api"): ErrorReply | null {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof ZodError) {
    // OpenAI clients read a body's fields as the body's; the app's own API names a field-less issue "input".
    const message = surface === "openai" ? err.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") : describeZodError(err);
    return { status: 400, code: "invalid_input", message };
  }
  if (!(err instanceof DepotError)) return null;
  const status = (surface === "openai" ? OPENAI_STATUS[err.name]?.[err.code] : undefined) ?? STATUS[err.name]?.[err.code] ?? 400;
  const reply: ErrorReply = { status, code: err.code, message: err.message };
  const e = err as DepotError & { rows?: unknown[]; offset?: number; retryAfterSeconds?: number };
  if (e.rows?.length) reply.detail = { rows: e.rows };
  if (e.offset !== undefined) reply.extra = { offset: e.offset };
  if (e.retryAfterSeconds !== undefined) reply.headers = { "retry-after": String(e.retryAfterSeconds) };
  return reply;
}

/**
 * Whether a failed job should be retried: never an error the table answers with a 4xx (the same input fails the
 * same way), else what the error says of itself (a download's 5xx), and anything unknown (network, crashes) is.
 */
export function isRetryable(err: unknown): boolean {
  if (err && typeof err === "object" && (err as { name?: string }).name === "ZodError") return false;
  if (err instanceof DepotError) {
    const status = STATUS[err.name]?.[err.code];
    return status !== undefined && status < 500 ? false : err.retryable;
  }
  if (err && typeof err === "object" && "retryable" in err) return Boolean((err as { retryable: unknown }).retryable);
  return true;
}

export function jsonError(status: number, code: string, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

/** The JSON answer of an error reply: `{ error: { code, message, … } }` with its status and headers. */
export function replyResponse(r: ErrorReply): Response {
  return Response.json({ error: { code: r.code, message: r.message, ...r.detail }, ...r.extra }, { status: r.status, headers: r.headers });
}
