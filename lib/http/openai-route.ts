import { ZodError } from "zod";
import { authenticate, type Principal } from "../auth/authenticate";
import { roleAtLeast, type Role } from "../auth/roles";
import { DepotError } from "../errors";
import { HttpError } from "./errors";
import { logger } from "../log/logger";
import { InferenceError, QueueFullError } from "../inference/errors";
import { openaiError } from "./openai-error";

const log = logger("openai");

type Handler = (ctx: { req: Request; principal: Principal }) => Promise<Response>;

const STATUS_OF: Partial<Record<string, number>> = { model_not_found: 404, model_not_ready: 409, no_gguf: 409, failed: 500 };

/**
 * Route wrapper for the OpenAI-compatible API: Bearer API keys only (no cookies, so no CSRF surface), a minimum
 * role, and OpenAI-shaped errors (429 carries Retry-After).
 */
export function openaiRoute(min: Role, handler: Handler) {
  return async (req: Request): Promise<Response> => {
    try {
      const auth = req.headers.get("authorization");
      if (!auth?.toLowerCase().startsWith("bearer ")) return openaiError(401, "missing API key: send Authorization: Bearer <key>", "invalid_api_key");
      const principal = await authenticate(new Headers({ authorization: auth }));
      if (!principal) return openaiError(401, "invalid API key", "invalid_api_key");
      if (!roleAtLeast(principal.user.role, min)) return openaiError(403, `your role (${principal.user.role}) may not use this endpoint`, "forbidden");
      return await handler({ req, principal });
    } catch (err) {
      if (err instanceof QueueFullError) return openaiError(429, err.message, "rate_limit_exceeded", { "retry-after": String(err.retryAfterSeconds) });
      if (err instanceof ZodError) return openaiError(400, err.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "), "invalid_request");
      if (err instanceof InferenceError) return openaiError(STATUS_OF[err.code] ?? 400, err.message, err.code);
      if (err instanceof HttpError) return openaiError(err.status, err.message, err.code);
      if (err instanceof DepotError) return openaiError(400, err.message, err.code);
      log.error("unhandled API error", { err });
      return openaiError(500, "internal error: see the server log", "internal");
    }
  };
}
