import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import { pacedWrite } from "./paced-write";

/**
 * A stand-in for the Hugging Face Hub and its LFS CDN, two origins on 127.0.0.1: the hub answers the endpoints
 * `@huggingface/hub` and `pullHf` call (whoami-v2, model info, tree listing, /resolve/), and redirects LFS files to
 * the CDN origin, which serves blobs by sha256 with Range support. Gated repos answer /resolve/ like the real hub:
 * 401 without a valid token, 403 for a token without access (`X-Error-Code: GatedRepo`); a repo that does not
 * exist is `RepoNotFound` (401 anonymous, 404 signed in); any request with a token it does not know is a 401.
 */
export interface HfRepoSpec {
  /** `org/name` */
  name: string;
  /** Folder whose files are the repo's files; subfolders become paths like `original/params.json`. */
  dir: string;
  /** @default sha1 of the name */
  commit?: string;
  gated?: false | "auto" | "manual";
  /** Extra raw listing entries (e.g. hostile names), served as they are. */
  extraEntries?: TreeEntry[];
}

export interface TreeEntry {
  type: "file";
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

export interface HfHubOptions {
  repos: HfRepoSpec[];
  /** token → user and the gated repos it may read. */
  tokens?: Record<string, { user: string; access: string[] }>;
  /** Per-response byte rate on the CDN. */
  throttleBps?: number;
  /** Flip the byte at `offset` of the blob with this sha256 whenever the CDN serves it. */
  corrupt?: { sha256: string; offset: number };
}

export interface HfHubStats {
  hub: Array<{ method: string; path: string; authorization: boolean; status?: number }>;
  cdn: Array<{ path: string; authorization: boolean; range: string | undefined }>;
  cdnBytesServed: number;
}

export interface HfHub {
  url: string;
  cdnUrl: string;
  options: HfHubOptions;
  stats: HfHubStats;
  /** Commit of a repo. */
  commitOf(repo: string): string;
  stop(): Promise<void>;
}

const LFS_EXT = /\.(safetensors|bin|model|pth|pt|gguf)$/;

interface FileInfo {
  path: string;
  file: string;
  size: number;
  gitSha: string;
  sha256: string;
  lfs: boolean;
}

async function scan(dir: string, prefix = ""): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) {
      out.push(...(await scan(file, `${prefix}${e.name}/`)));
      continue;
    }
    const name = `${prefix}${e.name}`;
    const content = await readFile(file);
    out.push({
      path: name,
      file,
      size: content.length,
      gitSha: createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex"),
      sha256: createHash("sha256").update(content).digest("hex"),
      lfs: LFS_EXT.test(name),
    });
  }
  return out;
}

/**
 * The Hub does not tell an absent repo from a private one: 401 to an anonymous caller, 404 to a signed-in one,
 * both with `X-Error-Code: RepoNotFound`.
 */
function repoNotFound(res: http.ServerResponse, user: unknown) {
  const message = "Repository not found";
  json(res, user ? 404 : 401, { error: message }, { "X-Error-Code": "RepoNotFound", "X-Error-Message": message });
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startHfHub(options: HfHubOptions): Promise<HfHub> {
  const repos = new Map<string, { spec: HfRepoSpec; commit: string; files: FileInfo[] }>();
  for (const spec of options.repos) {
    const commit = spec.commit ?? createHash("sha1").update(spec.name).digest("hex");
    repos.set(spec.name, { spec, commit, files: await scan(spec.dir) });
  }
  const stats: HfHubStats = { hub: [], cdn: [], cdnBytesServed: 0 };
  const sockets = new Set<Socket>();
  let hubOrigin = "";
  let cdnOrigin = "";

  const tokenOf = (req: http.IncomingMessage) => /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];

  const hub = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", hubOrigin);
    const entry: HfHubStats["hub"][number] = { method: req.method ?? "GET", path: u.pathname, authorization: !!req.headers.authorization };
    stats.hub.push(entry);
    res.on("finish", () => (entry.status = res.statusCode));
    const token = tokenOf(req);
    const user = token ? hubApi.options.tokens?.[token] : undefined;
    if (token && !user) return json(res, 401, { error: "Invalid credentials in Authorization header" });

    if (u.pathname === "/api/whoami-v2") {
      if (!user) return json(res, 401, { error: "Invalid credentials in Authorization header" });
      return json(res, 200, {
        type: "user", id: `id-${user.user}`, name: user.user, fullname: user.user, email: `${user.user}@example.com`,
        emailVerified: true, isPro: false, orgs: [], canPay: false, avatarUrl: "", periodEnd: null, billingMode: "prepaid",
        auth: { type: "access_token", accessToken: { displayName: "test", role: "read", createdAt: new Date(0).toISOString() } },
      });
    }
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)(?:\/.*)?$/.exec(u.pathname);
    if (api) {
      const repo = repos.get(decodeURIComponent(api[1] as string));
      const rev = decodeURIComponent(api[3] as string);
      if (!repo) return repoNotFound(res, user);
      if (!["main", "HEAD", repo.commit].includes(rev)) return json(res, 404, { error: `Invalid rev id: ${rev}` }, { "X-Error-Code": "RevisionNotFound" });
      if (api[2] === "revision") {
        return json(res, 200, {
          _id: `id-${repo.spec.name}`, id: repo.spec.name, private: false, gated: repo.spec.gated ?? false, sha: repo.commit,
          pipeline_tag: "text-generation", downloads: 0, likes: 0, lastModified: new Date(0).toISOString(),
          siblings: repo.files.map((f) => ({ rfilename: f.path })),
        });
      }
      const entries: TreeEntry[] = repo.files.map((f) => ({
        type: "file", path: f.path, size: f.size, oid: f.gitSha,
        ...(f.lfs && { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } }),
      }));
      return json(res, 200, [...entries, ...(repo.spec.extraEntries ?? [])]);
    }
    // /raw/ (what fileExists asks with HEAD) answers access like /resolve/ and serves without the LFS redirect.
    const resolve = /^\/([^/]+\/[^/]+)\/(resolve|raw)\/([^/]+)\/(.+)$/.exec(u.pathname);
    if (resolve && (req.method === "GET" || req.method === "HEAD")) {
      const name = decodeURIComponent(resolve[1] as string);
      const repo = repos.get(name);
      if (!repo) return repoNotFound(res, user);
      if (repo.spec.gated) {
        if (!user) {
          return json(res, 401, { error: `Access to model ${name} is restricted. You must have access to it and be authenticated to access it. Please log in.` }, { "X-Error-Code": "GatedRepo" });
        }
        if (!user.access.includes(name)) {
          return json(res, 403, { error: `Access to model ${name} is restricted and you are not in the authorized list. Visit https://huggingface.co/${name} to ask for access.` }, { "X-Error-Code": "GatedRepo" });
        }
      }
      const rev = decodeURIComponent(resolve[3] as string);
      if (!["main", repo.commit].includes(rev)) return json(res, 404, { error: `Invalid rev id: ${rev}` }, { "X-Error-Code": "RevisionNotFound" });
      const f = repo.files.find((x) => x.path === decodeURIComponent(resolve[4] as string));
      if (!f) return json(res, 404, { error: "Entry not found" }, { "X-Error-Code": "EntryNotFound" });
      if (f.lfs && resolve[2] === "resolve") {
        res.writeHead(302, {
          Location: `${cdnOrigin}/repos/${createHash("sha1").update(name).digest("hex").slice(0, 12)}/${f.sha256}?X-Amz-Expires=3600&X-Amz-Signature=cdnsig`,
          "X-Repo-Commit": repo.commit, ETag: `"${f.sha256}"`, "X-Linked-Etag": `"${f.sha256}"`, "X-Linked-Size": f.size, "Content-Length": 0,
        });
        return res.end();
      }
      return serveRange(req, res, f, { "X-Repo-Commit": repo.commit, ETag: `"${f.gitSha}"` }, false);
    }
    json(res, 404, { error: "Not found" });
  });

  const cdn = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", cdnOrigin);
    stats.cdn.push({ path: u.pathname, authorization: !!req.headers.authorization, range: req.headers.range });
    const sha = /^\/repos\/[^/]+\/([0-9a-f]{64})$/.exec(u.pathname)?.[1];
    const f = [...repos.values()].flatMap((r) => r.files).find((x) => x.sha256 === sha);
    if (!f) {
      res.writeHead(404, { "Content-Type": "text/xml" });
      return res.end("<Error><Code>NoSuchKey</Code></Error>");
    }
    serveRange(req, res, f, { ETag: `"${f.sha256}"` }, true);
  });

  function serveRange(req: http.IncomingMessage, res: http.ServerResponse, f: FileInfo, headers: http.OutgoingHttpHeaders, isCdn: boolean) {
    let start = 0;
    let end = f.size - 1;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), f.size - 1) : f.size - 1;
      if (start >= f.size) {
        res.writeHead(416, { "Content-Range": `bytes */${f.size}` });
        return res.end();
      }
      res.writeHead(206, { ...headers, "Accept-Ranges": "bytes", "Content-Range": `bytes ${start}-${end}/${f.size}`, "Content-Length": end - start + 1 });
    } else {
      res.writeHead(200, { ...headers, "Accept-Ranges": "bytes", "Content-Length": f.size });
    }
    if (req.method === "HEAD" || f.size === 0) return res.end();
    const stream = createReadStream(f.file, { start, end, highWaterMark: 64 * 1024 });
    res.on("close", () => stream.destroy());
    const t0 = Date.now();
    let sent = 0;
    void (async () => {
      try {
        for await (const raw of stream) {
          const chunk = raw as Buffer;
          const c = hubApi.options.corrupt;
          if (isCdn && c && c.sha256 === f.sha256 && c.offset >= start + sent && c.offset < start + sent + chunk.length) {
            const i = c.offset - start - sent;
            chunk[i] = (chunk[i] as number) ^ 0xff;
          }
          sent += chunk.length;
          if (isCdn) stats.cdnBytesServed += chunk.length;
          const throttleBps = isCdn ? hubApi.options.throttleBps : undefined;
          if (!(await pacedWrite(res, chunk, { startedAt: t0, sentBytes: sent, throttleBps }))) return;
        }
        res.end();
      } catch {
        res.destroy();
      }
    })();
  }

  for (const s of [hub, cdn]) {
    s.on("connection", (sock) => {
      sockets.add(sock);
      sock.on("close", () => sockets.delete(sock));
    });
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  }
  hubOrigin = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  cdnOrigin = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;

  const hubApi: HfHub = {
    url: hubOrigin,
    cdnUrl: cdnOrigin,
    options,
    stats,
    commitOf(repo) {
      const r = repos.get(repo);
      if (!r) throw new Error(`no repo ${repo}`);
      return r.commit;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await Promise.all([hub, cdn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
  return hubApi;
}
