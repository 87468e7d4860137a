// The production web server: Next.js behind a plain node:http server, so that the client address comes from the
// socket. Route handlers cannot see the socket; this server sets CLIENT_IP_HEADER (after dropping any client-sent
// copy and, unless the peer is a TRUSTED_PROXIES entry, every forwarding header) before Next.js sees the request.
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { config } from "../lib/config/env";
import { applyClientIp, trustedProxies } from "../lib/http/client-ip";

const [host = "127.0.0.1", portArg = "3000"] = process.argv.slice(2);
const port = Number(portArg);
const trusted = trustedProxies(config().TRUSTED_PROXIES);
const app = next({ dev: false, dir: path.resolve(import.meta.dirname, ".."), hostname: host, port });
const handle = app.getRequestHandler();

await app.prepare();
createServer((req, res) => {
  applyClientIp(req.headers, req.socket.remoteAddress, trusted);
  handle(req, res).catch((err: unknown) => {
    console.error("[web] request failed", err);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
}).listen(port, host, () => console.log(`[web] listening on http://${host}:${port}`));
