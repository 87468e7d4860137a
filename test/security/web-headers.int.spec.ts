import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NextConfig } from "next";
import { trustedProxies } from "../../lib/http/client-ip";
import { PERMISSIONS_POLICY } from "../../lib/http/security-headers";
import { createWebServer } from "../../lib/http/web-server";
import { discoverApiRoutes, discoverPages } from "../system/discover-routes";
import { API_POLICY, PUBLIC_PAGES } from "../system/route-policy";

// The real web server over HTTP on 127.0.0.1; Next.js (which needs a build) is replaced at the edge by a handler
// that answers like a page would and reports the nonce Next.js would have read from the request.
let base = "";
let server: ReturnType<typeof createWebServer>;
beforeAll(async () => {
  server = createWebServer(async (req, res) => {
    const nonce = /'nonce-([^']+)'/.exec(String(req.headers["content-security-policy"]))?.[1] ?? "";
    res.setHeader("content-type", "text/html");
    res.end(`<script nonce="${nonce}"></script>`);
  }, trustedProxies("127.0.0.1"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const routes = [
  ...discoverApiRoutes().flatMap((r) => r.methods.map((m) => ({ method: m, path: r.path }))),
  ...discoverPages().map((p) => ({ method: "GET", path: p })),
  { method: "GET", path: "/_next/static/chunks/app.js" },
].map((r) => ({ ...r, url: r.path.replace(/\[[^\]]+\]/g, "x") }));

describe("finding 7: security headers on every page and API route", () => {
  it("covers the routes of the access policy", () => {
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining([...Object.keys(API_POLICY), ...PUBLIC_PAGES]));
  });

  it.each(routes)("$method $path", async ({ method, url }) => {
    const res = await fetch(base + url, { method, headers: { "content-security-policy": "script-src 'nonce-attacker'" } });
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("attacker");
    expect(res.headers.get("permissions-policy")).toBe(PERMISSIONS_POLICY);
    expect(res.headers.get("strict-transport-security")).toBeNull();
    // The nonce on the response is the one Next.js was given for its scripts.
    if (method !== "HEAD") expect(await res.text()).toBe(`<script nonce="${/'nonce-([^']+)'/.exec(csp)?.[1]}"></script>`);
  });

  it("a fresh nonce per response, and HSTS behind a trusted https proxy", async () => {
    const a = (await fetch(base + "/login")).headers.get("content-security-policy");
    const res = await fetch(base + "/login", { headers: { "x-forwarded-proto": "https" } });
    expect(res.headers.get("content-security-policy")).not.toBe(a);
    expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}/);
  });

  it("next.config.js keeps X-Frame-Options, nosniff and Referrer-Policy for every path", async () => {
    const nextConfig = ((await import("../../next.config.js" as string)) as { default: NextConfig }).default;
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    expect(Object.fromEntries(all!.headers.map((h) => [h.key, h.value]))).toMatchObject({
      "X-Frame-Options": "DENY",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
    });
  });
});
