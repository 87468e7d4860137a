import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { applyClientIp } from "./client-ip";
import { applySecurityHeaders } from "./security-headers";

type Handle = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The node:http server in front of Next.js (scripts/web-server.ts): route handlers cannot see the socket, so the
 * client address and the per-response CSP nonce are settled here, before `handle` (Next's request handler) runs.
 */
export function createWebServer(handle: Handle, trusted: (ip: string) => boolean, dev = false): Server {
  return createServer((req, res) => {
    applyClientIp(req.headers, req.socket.remoteAddress, trusted);
    applySecurityHeaders(req, res, dev);
    handle(req, res).catch((err: unknown) => {
      console.error("[web] request failed", err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
}
