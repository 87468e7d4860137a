import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";

export const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()";
export const HSTS = "max-age=31536000; includeSubDomains";

/**
 * Scripts: only those Next.js renders with this response's nonce (and what they load: 'strict-dynamic').
 * Styles: the app's own stylesheets; 'unsafe-inline' because components use React `style` attributes (no script
 * runs from them). `dev` adds 'unsafe-eval', which React needs in development only.
 */
export function contentSecurityPolicy(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Sets CSP, Permissions-Policy and (over https: TLS here, or X-Forwarded-Proto that only a trusted proxy keeps, see
 * applyClientIp) HSTS on every response. Next.js reads the nonce from the request's CSP header and puts it on its
 * scripts, so the request header is replaced too: a client-sent one must not choose the nonce.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, dev = false): void {
  const policy = contentSecurityPolicy(randomBytes(16).toString("base64"), dev);
  delete req.headers["content-security-policy-report-only"];
  req.headers["content-security-policy"] = policy;
  res.setHeader("Content-Security-Policy", policy);
  res.setHeader("Permissions-Policy", PERMISSIONS_POLICY);
  const https = (req.socket as Partial<TLSSocket>).encrypted === true || req.headers["x-forwarded-proto"] === "https";
  if (https) res.setHeader("Strict-Transport-Security", HSTS);
}
