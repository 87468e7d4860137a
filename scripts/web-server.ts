// The production web server: Next.js behind lib/http/web-server.ts, which derives the client address from the
// socket (TRUSTED_PROXIES) and sets the security headers with a per-response CSP nonce.
import path from "node:path";
import next from "next";
import { config } from "../lib/config/env";
import { trustedProxies } from "../lib/http/client-ip";
import { createWebServer } from "../lib/http/web-server";

const [host = "127.0.0.1", portArg = "3000"] = process.argv.slice(2);
const port = Number(portArg);
const trusted = trustedProxies(config().TRUSTED_PROXIES);
const app = next({ dev: false, dir: path.resolve(import.meta.dirname, ".."), hostname: host, port });

await app.prepare();
createWebServer(app.getRequestHandler(), trusted).listen(port, host, () => console.log(`[web] listening on http://${host}:${port}`));
