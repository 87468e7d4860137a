import http from "node:http";
import https from "node:https";
import { checkEgressHost, egressLookup } from "./egress";

/** The slice of a response the engine uses, so it can run on node:http or on an injected `fetch`. */
export interface RemoteReply {
  status: number;
  headers: { get(name: string): string | null };
  /**
   * Every body chunk received since the last call (waiting for at least one); `null` at the end of the body or after
   * `cancel()`. Taking chunks in batches keeps the per-chunk cost (a promise, a wake-up) off the hot path.
   */
  read(): Promise<Uint8Array[] | null>;
  cancel(): Promise<void>;
  text(): Promise<string>;
}

export type HttpGet = (url: string, headers: Record<string, string>, signal: AbortSignal | undefined) => Promise<RemoteReply>;

/** Adapts an injected `fetch` (tests, proxies). */
export function fetchTransport(fetchImpl: typeof fetch): HttpGet {
  return async (url, headers, signal) => {
    const res = await fetchImpl(url, { headers, signal });
    const reader = res.body?.getReader();
    return {
      status: res.status,
      headers: res.headers,
      read: async () => {
        const r = reader ? await reader.read() : { done: true as const };
        return r.done ? null : [r.value];
      },
      cancel: async () => reader?.cancel().catch(() => {}),
      text: async () => {
        if (!reader) return "";
        const parts: Uint8Array[] = [];
        for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
        return Buffer.concat(parts).toString("utf8");
      },
    };
  };
}

// Every connection resolves through the egress check, so the address connected to is the one checked.
const agentOptions = { keepAlive: true, maxSockets: 64, lookup: egressLookup };
const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

/**
 * The default transport: node:http(s) moves bytes about twice as fast as undici's fetch here (see bench/download).
 * Follows up to 5 redirects; like fetch, it drops `Authorization` when a redirect leaves the origin.
 */
export const nodeTransport: HttpGet = async (url, headers, signal) => {
  let current = new URL(url);
  let sendHeaders = { ...headers };
  for (let hop = 0; ; hop++) {
    checkEgressHost(current); // the first request and every redirect
    const res = await get(current, sendHeaders, signal);
    const location = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location && hop < 5) {
      res.resume();
      const next = new URL(location, current);
      if (next.origin !== current.origin) {
        sendHeaders = Object.fromEntries(Object.entries(sendHeaders).filter(([k]) => k.toLowerCase() !== "authorization"));
      }
      current = next;
      continue;
    }
    return bodyReader(res);
  }
};

/** Unread bytes a response may hold in memory before its socket is paused (they are lost on kill -9). */
const QUEUE_BYTES = 2 * 1024 * 1024;

/**
 * Reads a body with `data` events into a queue that `read()` takes whole: one promise per batch instead of one
 * per 64 KiB socket read (as an async iterator costs), and the socket keeps filling the queue while the caller
 * is busy writing the previous batch. A premature close surfaces as the stream's error, or as an early end.
 */
function bodyReader(res: http.IncomingMessage): RemoteReply {
  let queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: Error | null = null;
  let started = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  res.on("end", () => {
    ended = true;
    notify();
  });
  res.on("error", (err) => {
    failure = err;
    notify();
  });
  res.on("close", () => {
    ended = true;
    notify();
  });
  // Flowing starts at the first read, so a response that is only inspected (headers, error body) buffers nothing.
  const start = () => {
    if (started) return;
    started = true;
    res.on("data", (chunk: Buffer) => {
      queue.push(chunk);
      queued += chunk.length;
      if (queued >= QUEUE_BYTES) res.pause();
      notify();
    });
  };
  const read = async (): Promise<Buffer[] | null> => {
    start();
    while (queue.length === 0 && !ended && !failure) await new Promise<void>((resolve) => (wake = resolve));
    if (queue.length > 0) {
      const out = queue;
      queue = [];
      queued = 0;
      if (!ended) res.resume();
      return out;
    }
    if (failure) throw failure;
    return null;
  };
  return {
    status: res.statusCode ?? 0,
    headers: {
      get: (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
    },
    read,
    cancel: async () => {
      ended = true;
      queue = [];
      res.destroy();
      notify();
    },
    text: async () => {
      const parts: Buffer[] = [];
      for (let batch = await read(); batch; batch = await read()) parts.push(...batch);
      return Buffer.concat(parts).toString("utf8");
    },
  };
}

function get(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  const mod = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!mod) return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers, signal, agent: agents[url.protocol as "http:" | "https:"] }, resolve);
    req.on("error", reject);
  });
}
