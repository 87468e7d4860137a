// Per-run timings for profiling the engine: `npx tsx bench/download/profile.ts [modes…]`, e.g.
// `curl engine nohash curl engine nohash`. Each run prints wall time, this process's CPU time (main thread and
// hash workers together) and the server's CPU time, so a busy shared machine can still be compared by CPU spent.
// Modes: curl (one stream to a file), curl+sync (same, then fsync, as the engine's finalize does), engine (default:
// 8 parts, md5 + sha256 while streaming), nohash (engine with the digests stubbed out), p1 (engine, one part),
// p16m (engine with 16 MiB pieces),
// base (the engine of another checkout, $DEPOT_BASELINE/lib/download, for an A/B comparison under the same load).
// THREADS=1 adds a per-thread CPU breakdown. The 1 GiB source file is kept in $DEPOT_BENCH_DIR (default /tmp/depot-bench-src) between invocations.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, open, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { downloadFile } from "../../lib/download";
import { writePatternFile } from "../../test/servers/pattern-file";
import { withoutHashing } from "./without-hashing";

// The local servers listen on 127.0.0.1: allowed through the egress policy's configuration, as an admin would.
process.env.EGRESS_ALLOW ??= "127.0.0.1";

const GiB = 1024 * 1024 * 1024;
const srcDir = process.env.DEPOT_BENCH_DIR ?? path.join(os.tmpdir(), "depot-bench-src");
const outDir = path.join(os.tmpdir(), `depot-bench-out-${process.pid}`);
await mkdir(path.join(srcDir, "root"), { recursive: true });
await mkdir(outDir, { recursive: true });
const bigPath = path.join(srcDir, "root", "big.bin");
if ((await stat(bigPath).catch(() => null))?.size !== GiB) await writePatternFile(bigPath, GiB);

const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "serve.ts"), path.join(srcDir, "root")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
const url = (JSON.parse(line) as { signedUrl: string }).signedUrl.replace("*", "big.bin");

const ticks = async (pid: number, file = `/proc/${pid}/stat`) => {
  const f = (await readFile(file, "utf8")).split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, ms at 100 Hz
};

/**
 * With THREADS=1: CPU seconds per thread of this process over one run (main, and the rest by name: hash workers,
 * libuv pool and V8 helpers are all "node"), sampled every 50 ms so threads that exit mid-run still count.
 */
function startThreadSampler(): () => string {
  const seen = new Map<string, { comm: string; user: number; sys: number }>();
  const sample = () => {
    for (const tid of readdirSync("/proc/self/task")) {
      try {
        const raw = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        const f = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
        const comm = raw.slice(raw.indexOf("(") + 1, raw.lastIndexOf(")"));
        seen.set(tid, { comm, user: Number(f[11]) / 100, sys: Number(f[12]) / 100 });
      } catch {
        // thread exited between readdir and read
      }
    }
  };
  sample();
  const base = new Map([...seen].map(([tid, v]) => [tid, { ...v }]));
  const timer = setInterval(sample, 50);
  return () => {
    clearInterval(timer);
    sample();
    const byName = new Map<string, { n: number; user: number; sys: number }>();
    for (const [tid, v] of seen) {
      const b = base.get(tid) ?? { user: 0, sys: 0 };
      const key = tid === String(process.pid) ? "main" : v.comm;
      const a = byName.get(key) ?? { n: 0, user: 0, sys: 0 };
      a.n++;
      a.user += v.user - b.user;
      a.sys += v.sys - b.sys;
      byName.set(key, a);
    }
    return [...byName].map(([k, a]) => `${k} x${a.n} ${a.user.toFixed(2)} user + ${a.sys.toFixed(2)} sys`).join(", ");
  };
}

function curl(out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn("curl", ["-sS", "--fail", "-o", out, url], { stdio: "inherit" });
    c.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`curl exited ${code}`))));
  });
}

const runs: Record<string, () => Promise<unknown>> = {
  curl: () => curl(path.join(outDir, "curl.bin")),
  "curl+sync": async () => {
    await curl(path.join(outDir, "curl.bin"));
    const fh = await open(path.join(outDir, "curl.bin"), "r+");
    await fh.sync();
    await fh.close();
  },
  engine: () => downloadFile({ url, dest: path.join(outDir, "engine.bin") }),
  nohash: () => withoutHashing(() => downloadFile({ url, dest: path.join(outDir, "engine.bin") })),
  base: async () => {
    const dir = process.env.DEPOT_BASELINE;
    if (!dir) throw new Error("set DEPOT_BASELINE to a checkout holding lib/download");
    const mod = (await import(path.resolve(dir, "lib/download/index.ts"))) as { downloadFile: typeof downloadFile };
    return mod.downloadFile({ url, dest: path.join(outDir, "engine.bin") });
  },
  // 16 MiB pieces instead of 64 MiB: the hashed prefix trails the download by less (see planParts).
  p16m: () => downloadFile({ url, dest: path.join(outDir, "engine.bin"), minPartBytes: 16 * 2 ** 20 }),
  p1: () => downloadFile({ url, dest: path.join(outDir, "engine.bin"), parts: 1 }),
};

try {
  for (const mode of process.argv.slice(2).length ? process.argv.slice(2) : ["curl", "engine", "nohash"]) {
    const run = runs[mode];
    if (!run) throw new Error(`unknown mode ${mode}`);
    const load = os.loadavg()[0]!.toFixed(1);
    const c0 = process.cpuUsage();
    const s0 = await ticks(child.pid!);
    const m0 = await ticks(process.pid, `/proc/self/task/${process.pid}/stat`);
    const stopSampler = process.env.THREADS ? startThreadSampler() : null;
    const t0 = performance.now();
    await run();
    if (stopSampler) console.log(`  threads: ${stopSampler()}`);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const server = (await ticks(child.pid!)) - s0;
    const main = (await ticks(process.pid, `/proc/self/task/${process.pid}/stat`)) - m0;
    console.log(
      `${mode.padEnd(10)} ${wall.toFixed(2)} s  ${(GiB / 2 ** 20 / wall).toFixed(0).padStart(5)} MiB/s  client cpu ${((c.user + c.system) / 1e6).toFixed(2)} s (sys ${(c.system / 1e6).toFixed(2)}, main thread ${(main / 1000).toFixed(2)})  server cpu ${(server / 1000).toFixed(2)} s  load ${load}`,
    );
    await rm(path.join(outDir, "engine.bin"), { force: true });
    await rm(path.join(outDir, "curl.bin"), { force: true });
  }
} finally {
  child.kill("SIGTERM");
  await rm(outDir, { recursive: true, force: true });
}
