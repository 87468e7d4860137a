// Download engine benchmark, one run against local servers: `npx tsx bench/download/run.ts [rounds]`.
// 1. engine (8 parts) vs curl (one stream) on a 1 GiB file; 2. 8 parts vs 1 part with a per-connection throttle;
// 3. cost of hashing while downloading (same download with md5/sha256 switched off), and a separate verify pass.
// The machine may be shared, so the 1 GiB runs alternate (curl, curl + fsync, engine, engine without hashing) for
// `rounds` rounds (default 3) and each keeps its best time; every download goes to a file on the same disk, from a
// source file already in the page cache. CPU seconds of this process (engine threads) are printed beside each time:
// they depend far less on the machine's load than wall time does.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { downloadFile } from "../../lib/download";
import { hashFile } from "../../lib/verify";
import { writePatternFile } from "../../test/servers/pattern-file";
import { withoutHashing } from "./without-hashing";

// The local servers listen on 127.0.0.1: allowed through the egress policy's configuration, as an admin would.
process.env.EGRESS_ALLOW ??= "127.0.0.1";

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

const fmt = (s: number) => `${s.toFixed(2)} s`;
const rate = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(0)} MiB/s`;

const rounds = Number(process.argv[2] ?? 3);
const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-bench-"));
const root = path.join(tmp, "root");
const out = path.join(tmp, "out");
await mkdir(root);
await mkdir(out);
const children: ChildProcess[] = [];
try {
  const load0 = os.loadavg().map((l) => l.toFixed(2)).join(", ");
  console.log(`cpus: ${os.cpus().length}, node ${process.version}; generating files…`);
  const big = await writePatternFile(path.join(root, "big.bin"), GiB);
  await writePatternFile(path.join(root, "mid.bin"), 128 * MiB);

  // 1. Unthrottled 1 GiB: curl single stream vs the engine's default (8 connections, 64 MiB pieces).
  const fast = await serve(root);
  children.push(fast.child);
  const url = (rel: string) => fast.signedUrl.replace("*", rel);
  const engineOut = path.join(out, "engine.bin");
  const curlOut = path.join(out, "curl.bin");
  const runs = {
    curl: () => curl(url("big.bin"), curlOut),
    // The engine fsyncs before its rename (atomic finalize); this is curl held to the same durability.
    curlSync: async () => {
      await curl(url("big.bin"), curlOut);
      const fh = await open(curlOut, "r+");
      await fh.sync();
      await fh.close();
    },
    engine: async () => {
      const r = await downloadFile({ url: url("big.bin"), dest: engineOut });
      if (r.sha256 !== big.sha256 || r.md5 !== big.md5) throw new Error("engine download corrupt");
    },
    noHash: () =>
      withoutHashing(async () => {
        const r = await downloadFile({ url: url("big.bin"), dest: engineOut });
        if (r.sha256 !== "") throw new Error("hash stub not applied");
      }),
  };
  type Run = keyof typeof runs;
  const best = Object.fromEntries(Object.keys(runs).map((k) => [k, { wall: Infinity, cpu: Infinity }])) as Record<Run, { wall: number; cpu: number }>;
  let tVerify = Infinity;
  await runs.curl(); // warm-up: source in the page cache, server and sockets up
  await rm(curlOut);
  for (let round = 0; round < rounds; round++) {
    for (const k of Object.keys(runs) as Run[]) {
      const c0 = process.cpuUsage();
      const [wall] = await timed(runs[k]);
      const c = process.cpuUsage(c0);
      best[k].wall = Math.min(best[k].wall, wall);
      best[k].cpu = Math.min(best[k].cpu, (c.user + c.system) / 1e6);
      if (k === "engine") tVerify = Math.min(tVerify, (await timed(() => hashFile({ file: engineOut })))[0]);
      await rm(k.startsWith("curl") ? curlOut : engineOut);
    }
  }
  fast.child.kill("SIGTERM");
  const tCurl = best.curl.wall;
  const tCurlSync = best.curlSync.wall;
  const tEngine = best.engine.wall;
  const tNoHash = best.noHash.wall;

  // 2. Per-connection throttle (16 MiB/s), 128 MiB: 8 parts vs 1 part.
  const slow = await serve(root, 16 * MiB);
  children.push(slow.child);
  const slowUrl = slow.signedUrl.replace("*", "mid.bin");
  const [t8] = await timed(() => downloadFile({ url: slowUrl, dest: path.join(out, "p8.bin"), parts: 8, minPartBytes: 8 * MiB }));
  const [t1] = await timed(() => downloadFile({ url: slowUrl, dest: path.join(out, "p1.bin"), parts: 1 }));
  slow.child.kill("SIGTERM");

  const cpu = (k: Run) => `cpu ${best[k].cpu.toFixed(2)} s`;
  console.log(`
load average before: ${load0}; after: ${os.loadavg().map((l) => l.toFixed(2)).join(", ")}
1 GiB, local server, no throttle, best of ${rounds} alternating rounds
  curl, one stream           ${fmt(tCurl)}  (${rate(GiB, tCurl)})
  curl, then fsync           ${fmt(tCurlSync)}  (${rate(GiB, tCurlSync)})
  engine, 8 parts + hashing  ${fmt(tEngine)}  (${rate(GiB, tEngine)})  ${cpu("engine")}, incl. fsync
  ratio curl/engine          ${(tCurl / tEngine).toFixed(2)}x  (>1: engine faster); vs curl + fsync ${(tCurlSync / tEngine).toFixed(2)}x

128 MiB, server throttled to 16 MiB/s per connection
  1 part                     ${fmt(t1)}  (${rate(128 * MiB, t1)})
  8 parts                    ${fmt(t8)}  (${rate(128 * MiB, t8)})
  ratio 1 part / 8 parts     ${(t1 / t8).toFixed(2)}x

hashing (md5 + sha256) while downloading, 1 GiB
  engine without hashing     ${fmt(tNoHash)}  ${cpu("noHash")}; ratio curl/engine ${(tCurl / tNoHash).toFixed(2)}x
  engine with hashing        ${fmt(tEngine)}  ${cpu("engine")}
  ratio with/without         ${(tEngine / tNoHash).toFixed(2)}x
  vs. a separate verify pass ${fmt(tVerify)} after the download (${((tNoHash + tVerify) / tEngine).toFixed(2)}x the inline time)
`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await rm(tmp, { recursive: true, force: true });
}
