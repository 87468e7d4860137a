import { createHmac, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { safeJoin } from "../../lib/download";
import { pacedWrite } from "./paced-write";

/**
 * A stand-in for Meta's CloudFront download host: serves the files under `root` at `/<path>` behind a signed
 * `/*?Policy=&Signature=&Key-Pair-Id=` URL. The policy uses CloudFront's encoding (base64 with `+`→`-`, `=`→`_`,
 * `/`→`~`); the signature is our own HMAC-SHA256, checked on every request. Faults are switched on through
 * `options`, which may be changed while the server runs.
 */
export interface MetaCdnOptions {
  /** Directory served at `/`. */
  root: string;
  secret?: string;
  keyPairId?: string;
  /** Per-response byte rate limit (bytes/second). */
  throttleBps?: number;
  /** Cut the connection after this many body bytes of a response... */
  dropAfterBytes?: number;
  /** ...for this many responses in total. @default Infinity */
  maxDrops?: number;
  /** Flip (xor 0xff) the byte at `offset` of `path` whenever it is served. */
  corrupt?: { path: string; offset: number };
  /** Answer every GET with 200 and the whole file, as a server without Range support does. */
  ignoreRange?: boolean;
  /** Requests allowed per (signature, path); then 403 AccessDenied. */
  downloadLimit?: number;
  /** Answer this many upcoming file requests with 503 SlowDown (decremented as used). */
  failRequests?: number;
  /** Stop sending (keep the connection open) after this many body bytes of a response... */
  stallAfterBytes?: number;
  /** ...for this many responses in total. @default Infinity */
  maxStalls?: number;
}

export interface MetaCdnStats {
  requests: number;
  /** Body bytes written to sockets, all paths. */
  bytesServed: number;
  bytesByPath: Record<string, number>;
  statuses: number[];
  drops: number;
  stalls: number;
}

export interface MetaCdn {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** A signed `…/*?Policy=…` URL valid until `expiresAt`. */
  signUrl(expiresAt: Date): string;
  options: MetaCdnOptions;
  stats: MetaCdnStats;
  /** Zeroes the counters, including the per-URL download counts. */
  resetStats(): void;
  stop(): Promise<void>;
}

const toCloudFront = (b64: string) => b64.replace(/\+/g, "-").replace(/=/g, "_").replace(/\//g, "~");
const fromCloudFront = (s: string) => s.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/");

function xmlError(res: http.ServerResponse, status: number, code: string, message: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export async function startMetaCdn(options: MetaCdnOptions): Promise<MetaCdn> {
  const secret = options.secret ?? "meta-cdn-test-secret";
  const keyPairId = options.keyPairId ?? "K3TESTKEYPAIR";
  const newStats = (): MetaCdnStats => ({ requests: 0, bytesServed: 0, bytesByPath: {}, statuses: [], drops: 0, stalls: 0 });
  const counts = new Map<string, number>();
  const sockets = new Set<import("node:net").Socket>();
  let origin = "";

  const sign = (policy: string) => toCloudFront(createHmac("sha256", secret).update(policy).digest("base64"));

  const server = http.createServer((req, res) => {
    cdn.stats.requests++;
    res.on("finish", () => cdn.stats.statuses.push(res.statusCode));
    handle(req, res).catch(() => res.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? "/", origin);
    const policyParam = u.searchParams.get("Policy");
    const signature = u.searchParams.get("Signature");
    if (!policyParam || !signature || u.searchParams.get("Key-Pair-Id") !== keyPairId) {
      return xmlError(res, 403, "MissingKey", "Missing Key-Pair-Id query parameter or cookie value");
    }
    const policy = Buffer.from(fromCloudFront(policyParam), "base64").toString("utf8");
    const expected = Buffer.from(sign(policy));
    const got = Buffer.from(signature);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) {
      return xmlError(res, 403, "AccessDenied", "Access denied");
    }
    const statement = (JSON.parse(policy) as { Statement: Array<{ Resource: string; Condition: { DateLessThan: { "AWS:EpochTime": number } } }> }).Statement[0];
    const resource = new RegExp(`^${(statement?.Resource ?? "").split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    if (!statement || !resource.test(`${origin}${u.pathname}`)) return xmlError(res, 403, "AccessDenied", "Access denied");
    if (Date.now() / 1000 >= statement.Condition.DateLessThan["AWS:EpochTime"]) {
      return xmlError(res, 403, "AccessDenied", "Access denied");
    }
    const rel = decodeURIComponent(u.pathname.slice(1));
    const key = `${signature}:${rel}`;
    const used = (counts.get(key) ?? 0) + 1;
    counts.set(key, used);
    if (cdn.options.downloadLimit !== undefined && used > cdn.options.downloadLimit) {
      return xmlError(res, 403, "AccessDenied", "Download limit exceeded for this URL");
    }
    if (cdn.options.failRequests) {
      cdn.options.failRequests--;
      return xmlError(res, 503, "SlowDown", "Please reduce your request rate.");
    }
    let file: string;
    try {
      file = safeJoin(cdn.options.root, rel);
    } catch {
      return xmlError(res, 404, "NoSuchKey", "The specified key does not exist.");
    }
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return xmlError(res, 404, "NoSuchKey", "The specified key does not exist.");
    const size = st.size;
    const headers: http.OutgoingHttpHeaders = {
      "Content-Type": "binary/octet-stream",
      "Accept-Ranges": "bytes",
      ETag: `"${st.mtimeMs.toString(16)}-${size.toString(16)}"`,
    };
    let start = 0;
    let end = size - 1;
    const range = cdn.options.ignoreRange ? undefined : req.headers.range;
    const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range) : null;
    if (m && (m[1] || m[2])) {
      if (m[1]) {
        start = Number(m[1]);
        end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      } else {
        start = Math.max(0, size - Number(m[2]));
      }
      if (start >= size || end < start) {
        res.writeHead(416, { "Content-Range": `bytes */${size}`, "Content-Type": "text/xml" });
        return res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message></Error>`);
      }
      res.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${size}`, "Content-Length": end - start + 1 });
    } else {
      res.writeHead(200, { ...headers, "Content-Length": size });
    }
    if (req.method === "HEAD" || size === 0) return res.end();
    await sendBody(res, file, rel, start, end);
  }

  async function sendBody(res: http.ServerResponse, file: string, rel: string, start: number, end: number) {
    const o = cdn.options;
    const dropAt = o.dropAfterBytes !== undefined && cdn.stats.drops < (o.maxDrops ?? Infinity) ? o.dropAfterBytes : Infinity;
    const stream = createReadStream(file, { start, end, highWaterMark: o.throttleBps ? 16 * 1024 : 256 * 1024 });
    res.on("close", () => stream.destroy());
    const stallAt =
      o.stallAfterBytes !== undefined && cdn.stats.stalls < (o.maxStalls ?? Infinity) ? o.stallAfterBytes : Infinity;
    const t0 = Date.now();
    let sent = 0;
    try {
      for await (const raw of stream) {
        let chunk = raw as Buffer;
        const c = o.corrupt;
        if (c && c.path === rel && c.offset >= start + sent && c.offset < start + sent + chunk.length) {
          const i = c.offset - start - sent;
          chunk[i] = (chunk[i] as number) ^ 0xff;
        }
        if (sent + chunk.length > dropAt) {
          chunk = chunk.subarray(0, dropAt - sent);
          count(rel, chunk.length);
          cdn.stats.drops++;
          res.write(chunk, () => res.socket?.destroy());
          return;
        }
        if (sent >= stallAt) {
          cdn.stats.stalls++;
          await new Promise<void>((resolve) => res.once("close", resolve));
          return;
        }
        count(rel, chunk.length);
        sent += chunk.length;
        if (!(await pacedWrite(res, chunk, { startedAt: t0, sentBytes: sent, throttleBps: o.throttleBps }))) return;
      }
      res.end();
    } catch {
      res.destroy();
    }
  }

  function count(rel: string, n: number) {
    cdn.stats.bytesServed += n;
    cdn.stats.bytesByPath[rel] = (cdn.stats.bytesByPath[rel] ?? 0) + n;
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const cdn: MetaCdn = {
    url: origin,
    options,
    stats: newStats(),
    signUrl(expiresAt) {
      const policy = JSON.stringify({
        Statement: [{ Resource: `${origin}/*`, Condition: { DateLessThan: { "AWS:EpochTime": Math.floor(expiresAt.getTime() / 1000) } } }],
      });
      // All three values use only [A-Za-z0-9~_-], so they go in unescaped, as in CloudFront's own URLs.
      const encoded = toCloudFront(Buffer.from(policy).toString("base64"));
      return `${origin}/*?Policy=${encoded}&Signature=${sign(policy)}&Key-Pair-Id=${keyPairId}`;
    },
    resetStats() {
      cdn.stats = newStats();
      counts.clear();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return cdn;
}
