import { authenticate, type Principal } from "../auth/authenticate";
import { isSameOrigin } from "../auth/csrf";
import { roleAtLeast, type Role } from "../auth/roles";
import { logger } from "../log/logger";
import { CLIENT_IP_HEADER } from "./client-ip";
import { errorReply, forbidden, HttpError, jsonError, replyResponse, unauthorized } from "./errors";

const log = logger("http");

type RouteContext<P> = { params: Promise<P> };
export type Handler<P> = (ctx: { req: Request; params: P; principal: Principal; ip: string | undefined }) => Promise<Response>;
type PublicHandler<P> = (ctx: { req: Request; params: P; ip: string | undefined }) => Promise<Response>;

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The client address the web server derived from the socket and TRUSTED_PROXIES (lib/http/client-ip.ts). */
export function clientIp(req: Request): string | undefined {
  return req.headers.get(CLIENT_IP_HEADER) ?? undefined;
}

/** One JSON error shape for every route: known errors answer as lib/http/errors.ts says, others become 500. */
export function errorResponse(err: unknown): Response {
  const reply = errorReply(err);
  if (reply) return replyResponse(reply);
  log.error("unhandled route error", { err });
  return jsonError(500, "internal", "internal error: see the server log");
}

/**
 * Route handler wrapper: authenticates (session cookie or Bearer API key), enforces the minimum role, checks
 * CSRF for cookie-authenticated mutations, and maps errors. Every non-public route is built with it.
 */
export function withRole<P = Record<string, never>>(min: Role, handler: Handler<P>) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    try {
      const principal = await authenticate(req.headers);
      if (!principal) return errorResponse(unauthorized());
      if (principal.via === "session" && MUTATING.has(req.method) && !isSameOrigin(req.headers, req.url)) {
        return jsonError(403, "csrf", "cross-site request refused");
      }
      if (!roleAtLeast(principal.user.role, min)) return errorResponse(forbidden(`${req.method} ${new URL(req.url).pathname}`));
      return await handler({ req, params: await ctx.params, principal, ip: clientIp(req) });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** For the few routes that work without a user (login, first-admin setup). */
export function publicRoute<P = Record<string, never>>(handler: PublicHandler<P>) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    try {
      if (MUTATING.has(req.method) && !isSameOrigin(req.headers, req.url) && !req.headers.get("authorization")) {
        // Login CSRF: a cross-site form must not sign the browser in as someone else.
        if (req.headers.get("origin") || req.headers.get("sec-fetch-site")) return jsonError(403, "csrf", "cross-site request refused");
      }
      return await handler({ req, params: await ctx.params, ip: clientIp(req) });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Body caps: small for the unauthenticated routes (login, setup), 1 MiB for other JSON bodies, more for run uploads. */
export const PUBLIC_BODY_LIMIT = 16 * 1024;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
// Run uploads carry up to 50 MiB of prompt text inside JSON, where escaping can double it.
export const UPLOAD_BODY_LIMIT = 101 * 1024 * 1024;
// One chunk of a GGUF upload (app/api/uploads): streamed to disk, never held in memory; the browser sends 8 MiB.
export const UPLOAD_CHUNK_LIMIT = 16 * 1024 * 1024;

const tooLarge = (limit: number) => new HttpError(413, "too_large", `the request body is larger than ${limit} bytes`);

/** The body as text, refused with 413 by Content-Length and, without one, as soon as the stream passes `limit`. */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length"));
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The JSON body; `empty` stands in for a missing body where every field is optional. */
export async function readJson(req: Request, empty?: unknown, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const text = await readBodyText(req, limit);
  try {
    return empty !== undefined && text.trim() === "" ? empty : (JSON.parse(text) as unknown);
  } catch {
    throw new HttpError(400, "invalid_json", "the request body is not valid JSON");
  }
}
