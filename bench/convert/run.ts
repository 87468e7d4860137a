import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { generateCheckpoint, TINYLLAMA_SHAPE } from "./generate-checkpoint";

// Convert benchmark: a random TinyLlama-1.1B-shaped checkpoint, converted to f16 and q8_0, each timed against a
// `cp` of the same bytes in the same run. Every measurement starts after a system-wide `sync`, so none pays for
// another's dirty pages. Conversions run in a child process (tsx start-up included) whose peak RSS is read.
// Two pairs are measured: plain `cp` vs a conversion that does not fsync (`durable: false`), and `cp` + fsync of
// the copy vs the default durable conversion (fsync of file and directory). On a shared machine each pair is run
// `--reps` times (default 3), alternating, and the fastest of each is kept.
// Usage: npx tsx bench/convert/run.ts [--reps N]
const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "../..");

async function timed(fn: () => Promise<unknown>): Promise<number> {
  await run("sync");
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function cp(src: string, dst: string, fsync: boolean): Promise<number> {
  const s = await timed(async () => {
    await run("cp", [src, dst]);
    if (fsync) await run("sync", [dst]);
  });
  await rm(dst);
  return s;
}

async function convert(dir: string, out: string, type: string, durable: boolean) {
  const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
  let stdout = "";
  const wall = await timed(async () => {
    ({ stdout } = await run(process.execPath, [tsx, path.join(here, "convert-child.ts"), dir, out, type, durable ? "durable" : "fast"], { cwd: root }));
  });
  await rm(out);
  const r = JSON.parse(stdout.trim().split("\n").pop()!) as { seconds: number; maxRssKiB: number; bytes: number };
  return { ...r, wall };
}

const repsArg = process.argv.indexOf("--reps");
const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 3;
if (!Number.isInteger(reps) || reps < 1) throw new Error("--reps takes a positive integer");

const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-bench-convert-"));
try {
  const dir = path.join(tmp, "model");
  await mkdir(dir);
  console.log(`generating a TinyLlama-1.1B-shaped f16 checkpoint in ${dir} ...`);
  const bytes = await generateCheckpoint({ dir, shape: TINYLLAMA_SHAPE, tokenizerDir: path.join(root, "test/fixtures/tiny-llama/hf") });
  const src = path.join(dir, "model.safetensors");
  await cp(src, path.join(tmp, "warm"), false);
  console.log(`checkpoint ${(bytes / 1e9).toFixed(2)} GB, ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  for (const type of ["f16", "q8_0"]) {
    for (const durable of [false, true]) {
      let base = Infinity;
      let r = { seconds: Infinity, maxRssKiB: 0, bytes: 0, wall: Infinity };
      for (let i = 0; i < reps; i++) {
        base = Math.min(base, await cp(src, path.join(tmp, "copy"), durable));
        const run = await convert(dir, path.join(tmp, `out-${type}.gguf`), type, durable);
        r = { ...(run.wall < r.wall ? run : r), maxRssKiB: Math.max(r.maxRssKiB, run.maxRssKiB) };
      }
      const label = durable ? "durable (fsync) vs cp + fsync" : "no fsync vs plain cp       ";
      console.log(
        `${type.padEnd(5)} ${label}: cp ${base.toFixed(2)} s, convert ${r.wall.toFixed(2)} s = ${(r.wall / base).toFixed(2)}x cp ` +
          `(without process start-up ${r.seconds.toFixed(2)} s = ${(r.seconds / base).toFixed(2)}x); ` +
          `peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB; output ${(r.bytes / 1e9).toFixed(2)} GB`,
      );
    }
  }
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
