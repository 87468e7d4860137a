import { authenticate, type Principal } from "../auth/authenticate";
import { roleAtLeast, type Role } from "../auth/roles";
import { logger } from "../log/logger";
import { errorReply } from "./errors";
import { openaiError } from "./openai-error";
import { sseResponse } from "./sse";

const log = logger("openai");

/** A handler's answer: a Response, a stream of SSE chunks (an async iterable), or a JSON body. */
type Handler = (ctx: { req: Request; principal: Principal }) => Promise<unknown>;

/** OpenAI's `code` for the errors its clients handle by code. */
const OPENAI_CODE: Partial<Record<string, string>> = { queue_full: "rate_limit_exceeded", invalid_input: "invalid_request" };

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
      const answer = await handler({ req, principal });
      if (answer instanceof Response) return answer;
      if (answer && typeof answer === "object" && Symbol.asyncIterator in answer) return sseResponse(answer as AsyncIterable<unknown>);
      return Response.json(answer);
    } catch (err) {
      const reply = errorReply(err, "openai");
      if (reply) return openaiError(reply.status, reply.message, OPENAI_CODE[reply.code] ?? reply.code, reply.headers);
      log.error("unhandled API error", { err });
      return openaiError(500, "internal error: see the server log", "internal");
    }
  };
}
