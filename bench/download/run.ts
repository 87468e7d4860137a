// Download engine benchmark, one run against local servers: `npx tsx bench/download/run.ts`.
// 1. engine (8 parts) vs curl (one stream) on a 1 GiB file; 2. 8 parts vs 1 part with a per-connection throttle;
// 3. cost of hashing while downloading (same download with md5/sha256 stubbed out), and a separate verify pass.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { EventEmitter } from "node:events";
import { syncBuiltinESMExports } from "node:module";
import workerThreads from "node:worker_threads";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { downloadFile } from "../../lib/download";
import { hashFile } from "../../lib/verify";
import { writePatternFile } from "../../test/servers/pattern-file";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

async function serve(root: string, throttleBps?: number): Promise<{ signedUrl: string; child: ChildProcess }> {
  const args = ["--import", "tsx", path.join(import.meta.dirname, "serve.ts"), root, ...(throttleBps ? [String(throttleBps)] : [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
  return { signedUrl: (JSON.parse(line) as { signedUrl: string }).signedUrl, child };
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [(performance.now() - t0) / 1000, out];
}

function curl(url: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn("curl", ["-sS", "--fail", "-o", out, url], { stdio: "inherit" });
    c.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`curl exited ${code}`))));
  });
}

/**
 * Runs `fn` with hashing stubbed out: crypto.createHash (inline digester) and the hash worker threads become no-ops.
 * The engine's named imports see the swap after syncBuiltinESMExports; nothing in lib/ knows about it.
 */
async function withoutHashing<T>(fn: () => Promise<T>): Promise<T> {
  const realHash = crypto.createHash;
  const realWorker = workerThreads.Worker;
  const noop = { update: () => noop, digest: () => "" };
  class NoopWorker extends EventEmitter {
    postMessage(m: Uint8Array | null) {
      setImmediate(() => this.emit("message", m === null ? { digest: "" } : { hashed: m.byteLength }));
    }
    async terminate() {
      return 0;
    }
  }
  (crypto as { createHash: unknown }).createHash = () => noop;
  (workerThreads as { Worker: unknown }).Worker = NoopWorker;
  syncBuiltinESMExports();
  try {
    return await fn();
  } finally {
    crypto.createHash = realHash;
    workerThreads.Worker = realWorker;
    syncBuiltinESMExports();
  }
}

const fmt = (s: number) => `${s.toFixed(2)} s`;
const rate = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(0)} MiB/s`;

const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-bench-"));
const root = path.join(tmp, "root");
const out = path.join(tmp, "out");
await mkdir(root);
await mkdir(out);
const children: ChildProcess[] = [];
try {
  console.log(`cpus: ${os.cpus().length}, node ${process.version}; generating files…`);
  const big = await writePatternFile(path.join(root, "big.bin"), GiB);
  await writePatternFile(path.join(root, "mid.bin"), 128 * MiB);

  // 1. Unthrottled 1 GiB: curl single stream vs the engine's default (8 connections, 64 MiB pieces). The machine
  // is shared, so each measurement is the best of two.
  const fast = await serve(root);
  children.push(fast.child);
  const url = (rel: string) => fast.signedUrl.replace("*", rel);
  const best = async (fn: () => Promise<unknown>, cleanup: () => Promise<void>) => {
    let min = Infinity;
    for (let i = 0; i < 2; i++) {
      const [t] = await timed(fn);
      await cleanup();
      min = Math.min(min, t);
    }
    return min;
  };
  const engineOut = path.join(out, "engine.bin");
  const tCurl = await best(() => curl(url("big.bin"), path.join(out, "curl.bin")), () => rm(path.join(out, "curl.bin")));
  const tEngine = await best(
    async () => {
      const r = await downloadFile({ url: url("big.bin"), dest: engineOut });
      if (r.sha256 !== big.sha256) throw new Error("engine download corrupt");
    },
    async () => {},
  );
  const tVerify = await best(() => hashFile({ file: engineOut }), async () => {});
  await rm(engineOut);
  const tNoHash = await best(
    () =>
      withoutHashing(async () => {
        const r = await downloadFile({ url: url("big.bin"), dest: engineOut });
        if (r.sha256 !== "") throw new Error("hash stub not applied");
      }),
    () => rm(engineOut),
  );
  fast.child.kill("SIGTERM");

  // 2. Per-connection throttle (16 MiB/s), 128 MiB: 8 parts vs 1 part.
  const slow = await serve(root, 16 * MiB);
  children.push(slow.child);
  const slowUrl = slow.signedUrl.replace("*", "mid.bin");
  const [t8] = await timed(() => downloadFile({ url: slowUrl, dest: path.join(out, "p8.bin"), parts: 8, minPartBytes: 8 * MiB }));
  const [t1] = await timed(() => downloadFile({ url: slowUrl, dest: path.join(out, "p1.bin"), parts: 1 }));
  slow.child.kill("SIGTERM");

  console.log(`
1 GiB, local server, no throttle
  curl, one stream           ${fmt(tCurl)}  (${rate(GiB, tCurl)})
  engine, 8 parts + hashing  ${fmt(tEngine)}  (${rate(GiB, tEngine)})
  ratio curl/engine          ${(tCurl / tEngine).toFixed(2)}x  (>1: engine faster)

128 MiB, server throttled to 16 MiB/s per connection
  1 part                     ${fmt(t1)}  (${rate(128 * MiB, t1)})
  8 parts                    ${fmt(t8)}  (${rate(128 * MiB, t8)})
  ratio 1 part / 8 parts     ${(t1 / t8).toFixed(2)}x

hashing (md5 + sha256) while downloading, 1 GiB
  engine without hashing     ${fmt(tNoHash)}
  engine with hashing        ${fmt(tEngine)}
  ratio with/without         ${(tEngine / tNoHash).toFixed(2)}x
  vs. a separate verify pass ${fmt(tVerify)} after the download (${((tNoHash + tVerify) / tEngine).toFixed(2)}x the inline time)
`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await rm(tmp, { recursive: true, force: true });
}
