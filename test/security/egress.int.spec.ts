import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DownloadError, downloadFile } from "../../lib/download";
import { errorReply } from "../../lib/http/errors";
import { startMetaDownload } from "../../lib/models/start-meta-download";

// Finding 2: one egress policy for downloads. Local servers count every connection they get: a refused address
// must see none. Non-loopback internal addresses (10.0.0.1, 169.254.169.254) are only asserted refused; no
// traffic is ever sent to them.

const BODY = Buffer.from("model bytes ".repeat(100));
type Counted = { server: http.Server; port: number; connections: number };

async function serve(handler: http.RequestListener, host = "127.0.0.1"): Promise<Counted> {
  const server = http.createServer(handler);
  const c: Counted = { server, port: 0, connections: 0 };
  server.on("connection", () => c.connections++);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, host, resolve));
  c.port = (server.address() as AddressInfo).port;
  return c;
}
const fileServer: http.RequestListener = (req, res) => {
  const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
  if (!range) return void res.writeHead(200, { "content-length": BODY.length }).end(BODY);
  const [a, b] = [Number(range[1]), Math.min(Number(range[2]), BODY.length - 1)];
  res.writeHead(206, { "content-range": `bytes ${a}-${b}/${BODY.length}`, "content-length": b - a + 1 }).end(BODY.subarray(a, b + 1));
};

let work: string;
let target: Counted;
let target6: Counted | undefined;
let redirector: Counted;
let redirectTo = "";
const saved = { EGRESS_ALLOW: process.env.EGRESS_ALLOW, HF_ENDPOINT: process.env.HF_ENDPOINT };

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-egress-"));
  target = await serve(fileServer);
  target6 = await serve(fileServer, "::1").catch(() => undefined); // hosts without IPv6 loopback skip that case
  redirector = await serve((_req, res) => void res.writeHead(302, { location: redirectTo }).end());
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
});
afterAll(async () => {
  for (const s of [target, target6, redirector]) s?.server.close();
  await rm(work, { recursive: true, force: true });
});

let n = 0;
const fetchTo = (url: string) => downloadFile({ url, dest: path.join(work, `f${n++}`), maxRetries: 0 });
const refusal = (p: Promise<unknown>) => p.then(() => "downloaded", (e: unknown) => (e instanceof DownloadError ? e.code : String(e)));

describe("the worker's transport", () => {
  it.each([
    ["127.0.0.1", () => `http://127.0.0.1:${target.port}/f`],
    ["localhost (a name resolving to loopback)", () => `http://localhost:${target.port}/f`],
  ])("refuses %s without connecting", async (_name, url) => {
    delete process.env.EGRESS_ALLOW;
    process.env.HF_ENDPOINT = `http://localhost:${target.port}`; // an allowed name that resolves to loopback
    const before = target.connections;
    expect(await refusal(fetchTo(url()))).toBe("egress");
    expect(target.connections).toBe(before);
  });

  it("refuses ::1 without connecting", async ({ skip }) => {
    if (!target6) return skip();
    delete process.env.EGRESS_ALLOW;
    expect(await refusal(fetchTo(`http://[::1]:${target6.port}/f`))).toBe("egress");
    expect(target6.connections).toBe(0);
  });

  it.each(["http://10.0.0.1/f", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/f", "http://0.0.0.0/f"])("refuses %s", async (url) => {
    delete process.env.EGRESS_ALLOW;
    expect(await refusal(fetchTo(url))).toBe("egress");
  });

  it("refuses a redirect from an allowed host to loopback, without connecting to the target", async () => {
    process.env.EGRESS_ALLOW = `127.0.0.1:${redirector.port}`;
    const before = target.connections;
    for (const to of [`http://127.0.0.1:${target.port}/f`, `http://localhost:${target.port}/f`]) {
      redirectTo = to;
      expect(await refusal(fetchTo(`http://127.0.0.1:${redirector.port}/f`))).toBe("egress");
    }
    expect(redirector.connections).toBeGreaterThan(0);
    expect(target.connections).toBe(before);
  });

  it("reaches hosts EGRESS_ALLOW names, through redirects too", async () => {
    process.env.EGRESS_ALLOW = `127.0.0.1:${redirector.port}, 127.0.0.1:${target.port}`;
    redirectTo = `http://127.0.0.1:${target.port}/f`;
    const dest = path.join(work, "ok");
    await downloadFile({ url: `http://127.0.0.1:${redirector.port}/f`, dest });
    expect(await readFile(dest)).toEqual(BODY);
  });
});

describe("job creation", () => {
  const link = (origin: string) => {
    const policy = JSON.stringify({ Statement: [{ Condition: { DateLessThan: { "AWS:EpochTime": Math.floor(Date.now() / 1000) + 3600 } } }] });
    const cf = Buffer.from(policy).toString("base64").replace(/\+/g, "-").replace(/=/g, "_").replace(/\//g, "~");
    return `${origin}/*?Policy=${cf}&Signature=sig&Key-Pair-Id=KEY`;
  };
  const status = (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => `${errorReply(e)?.status} ${errorReply(e)?.code}`);

  it.each(["https://127.0.0.1:6379", "https://[::1]", "https://10.0.0.1", "https://169.254.169.254", "https://localhost", "https://evil.example.com", "https://llamameta.net.evil.example"])(
    "refuses a Meta link to %s with 400 before any job exists",
    async (origin) => {
      delete process.env.EGRESS_ALLOW;
      const before = target.connections;
      expect(await status(startMetaDownload({ url: link(origin), models: ["7B"], user: { id: "u", role: "member" } }))).toBe("400 egress");
      expect(target.connections).toBe(before);
    },
  );
});
