// Download engine benchmark, one run against local servers: `npx tsx bench/download/run.ts [reps]`.
// 1. 1 GiB, no throttle: the engine (8 parts) against curl (one stream), plain and with fsync; and download + verify
//    against its parts in the same run: the engine with hashing off ("download alone"), one pass of the digest over
//    the file from the page cache ("hash alone"), and the engine computing the one digest a source verifies against
//    while the bytes stream: sha256 (Hub LFS files) or md5 (Meta checklists). Target: download + verify within
//    1.05x max(download alone, hash alone).
// 2. 128 MiB with a per-connection throttle (16 MiB/s): 8 parts vs 1 part.
// The machine may be shared, so each rep runs every variant back to back, in an order that reverses from one rep to
// the next, `reps` times (default 5); each variant reports its median and best, and ratios are given of medians and
// as the median of each rep's ratio (which cancels slow swings of the load). Every download goes to a file on the
// same disk from a source file already in the page cache. CPU seconds of this process (engine threads) are printed
// beside each median: they depend far less on the machine's load than wall time does.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { downloadFile } from "../../lib/download";
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** One digest over a file, as a verify pass reads it. */
async function hashOnly(file: string, algorithm: "md5" | "sha256"): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

type Sample = { wall: number; cpu: number };

/** Runs each variant once per rep, in an order reversed every other rep; returns every sample. */
async function alternate<K extends string>(reps: number, variants: Record<K, () => Promise<void>>): Promise<Record<K, Sample[]>> {
  const keys = Object.keys(variants) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as Sample[]])) as Record<K, Sample[]>;
  for (let rep = 0; rep < reps; rep++) {
    for (const k of rep % 2 === 0 ? keys : [...keys].reverse()) {
      const c0 = process.cpuUsage();
      const [wall] = await timed(variants[k]);
      const c = process.cpuUsage(c0);
      out[k].push({ wall, cpu: (c.user + c.system) / 1e6 });
    }
  }
  return out;
}

const reps = Number(process.argv[2] ?? 5);
if (!Number.isInteger(reps) || reps < 1) throw new Error("reps: a positive integer");
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(", ");
const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-bench-"));
const root = path.join(tmp, "root");
const out = path.join(tmp, "out");
await mkdir(root);
await mkdir(out);
const children: ChildProcess[] = [];
try {
  const load0 = load();
  console.log(`cpus: ${os.cpus().length}, node ${process.version}; generating files…`);
  const big = await writePatternFile(path.join(root, "big.bin"), GiB);
  await writePatternFile(path.join(root, "mid.bin"), 128 * MiB);

  // 1. Unthrottled 1 GiB.
  const fast = await serve(root);
  children.push(fast.child);
  const url = (rel: string) => fast.signedUrl.replace("*", rel);
  const engineOut = path.join(out, "engine.bin");
  const curlOut = path.join(out, "curl.bin");
  const hashed = path.join(out, "hashed.bin"); // a finished download, for the hash-alone passes
  const engine = async (params: { digests: ("md5" | "sha256")[]; expectedSha256?: string; expectedMd5?: string }) => {
    const r = await downloadFile({ url: url("big.bin"), dest: engineOut, ...params });
    if ((params.expectedSha256 && r.sha256 !== big.sha256) || (params.expectedMd5 && r.md5 !== big.md5)) throw new Error("engine download corrupt");
    await rm(engineOut);
  };
  const variants = {
    curl: async () => {
      await curl(url("big.bin"), curlOut);
      await rm(curlOut);
    },
    // The engine fsyncs before its rename (atomic finalize); this is curl held to the same durability.
    curlSync: async () => {
      await curl(url("big.bin"), curlOut);
      const fh = await open(curlOut, "r+");
      await fh.sync();
      await fh.close();
      await rm(curlOut);
    },
    download: () => withoutHashing(() => engine({ digests: [] })),
    sha256Alone: async () => {
      if ((await hashOnly(hashed, "sha256")) !== big.sha256) throw new Error("sha256 pass disagrees");
    },
    withSha256: () => engine({ digests: ["sha256"], expectedSha256: big.sha256 }),
    md5Alone: async () => {
      if ((await hashOnly(hashed, "md5")) !== big.md5) throw new Error("md5 pass disagrees");
    },
    withMd5: () => engine({ digests: ["md5"], expectedMd5: big.md5 }),
  };
  await curl(url("big.bin"), hashed); // warm-up: source in the page cache, server and sockets up
  const r1 = await alternate(reps, variants);
  await rm(hashed);
  fast.child.kill("SIGTERM");
  const load1 = load();

  // 2. Per-connection throttle (16 MiB/s), 128 MiB: 8 parts vs 1 part.
  const slow = await serve(root, 16 * MiB);
  children.push(slow.child);
  const slowUrl = slow.signedUrl.replace("*", "mid.bin");
  const slowDownload = async (parts: number) => {
    const dest = path.join(out, `p${parts}.bin`);
    await downloadFile({ url: slowUrl, dest, parts, minPartBytes: 8 * MiB, digests: ["sha256"] });
    await rm(dest);
  };
  const r2 = await alternate(reps, { parts8: () => slowDownload(8), parts1: () => slowDownload(1) });
  slow.child.kill("SIGTERM");

  type K1 = keyof typeof variants;
  const med = (k: K1) => median(r1[k].map((x) => x.wall));
  const best = (k: K1) => Math.min(...r1[k].map((x) => x.wall));
  const row = (label: string, k: K1, bytes = GiB) =>
    `  ${label.padEnd(46)} median ${fmt(med(k))} (${rate(bytes, med(k))}), best ${fmt(best(k))}, cpu median ${median(r1[k].map((x) => x.cpu)).toFixed(2)} s`;
  /** Median of each rep's a / b, and a's median over b's. */
  const ratio = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(2)}x of medians, paired ${median(a.map((x, i) => x / b[i]!)).toFixed(2)}x`;
  const walls = (k: K1) => r1[k].map((x) => x.wall);
  const verifyAgainst = (withK: K1, aloneK: K1) => {
    const bound = walls("download").map((d, i) => Math.max(d, walls(aloneK)[i]!));
    return `${ratio(walls(withK), bound)} (target <= 1.05x), best ${(best(withK) / Math.max(best("download"), best(aloneK))).toFixed(2)}x`;
  };
  const m2 = (k: "parts8" | "parts1") => median(r2[k].map((x) => x.wall));
  console.log(`
load average before: ${load0}; after section 1: ${load1}; after: ${load()}
1. 1 GiB from a local server, no throttle, ${reps} alternated reps; engine: 8 parts, fsync before rename
${row("curl, one stream (no fsync)", "curl")}
${row("curl, then fsync", "curlSync")}
${row("engine, download alone (hashing off)", "download")}
${row("sha256 alone (one pass, page cache)", "sha256Alone")}
${row("engine + sha256 while streaming (Hub LFS)", "withSha256")}
${row("md5 alone (one pass, page cache)", "md5Alone")}
${row("engine + md5 while streaming (Meta checklist)", "withMd5")}
  engine (no hashing) vs curl, plain:              ${ratio(walls("download"), walls("curl"))} (<1: engine faster)
  engine + sha256 vs curl + fsync, durable:        ${ratio(walls("withSha256"), walls("curlSync"))}
  download + sha256 vs max(download, sha256 alone): ${verifyAgainst("withSha256", "sha256Alone")}
  download + md5 vs max(download, md5 alone):       ${verifyAgainst("withMd5", "md5Alone")}

2. 128 MiB, server throttled to 16 MiB/s per connection, sha256 while streaming, ${reps} alternated reps
  1 part   median ${fmt(m2("parts1"))} (${rate(128 * MiB, m2("parts1"))}), best ${fmt(Math.min(...r2.parts1.map((x) => x.wall)))}
  8 parts  median ${fmt(m2("parts8"))} (${rate(128 * MiB, m2("parts8"))}), best ${fmt(Math.min(...r2.parts8.map((x) => x.wall)))}
  1 part / 8 parts: ${ratio(r2.parts1.map((x) => x.wall), r2.parts8.map((x) => x.wall))}
`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await rm(tmp, { recursive: true, force: true });
}
