import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { generateCheckpoint, TINYLLAMA_SHAPE } from "./generate-checkpoint";

// Convert benchmark: a random TinyLlama-1.1B-shaped checkpoint, converted to f16 and q8_0, each timed against a
// `cp` of the same bytes in the same run. Every measurement starts after a system-wide `sync`, so none pays for
// another's dirty pages, and the source is in the page cache for both (read once before timing). Conversions run in
// a child process whose peak RSS is read; the child is bundled to plain JavaScript first, so its time is node's
// start-up plus the conversion, not TypeScript compilation. Two pairs are measured: plain `cp` vs a conversion that
// does not fsync (`durable: false`), and `cp` + fsync of the copy vs the default durable conversion (fsync of file
// and directory). On a shared machine each pair is run `--reps` times (default 5), alternating which goes first;
// the fastest and the median of each are reported, and the median of each rep's convert/cp ratio, with the load
// average.
// Usage: npx tsx bench/convert/run.ts [--reps N] [--types f16,q8_0]
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

/** The child as one plain-JavaScript file (esbuild comes with tsx), so no TypeScript is compiled while timing. */
async function bundleChild(outDir: string): Promise<string> {
  const out = path.join(outDir, "convert-child.mjs");
  await run(path.join(root, "node_modules/.bin/esbuild"), [path.join(here, "convert-child.ts"), "--bundle", "--platform=node", "--format=esm", `--outfile=${out}`, "--log-level=warning"], { cwd: root });
  return out;
}

async function convert(child: string, dir: string, out: string, type: string, durable: boolean) {
  let stdout = "";
  const wall = await timed(async () => {
    ({ stdout } = await run(process.execPath, [child, dir, out, type, durable ? "durable" : "fast"], { cwd: root }));
  });
  await rm(out);
  const r = JSON.parse(stdout.trim().split("\n").pop()!) as { seconds: number; maxRssKiB: number; bytes: number };
  return { ...r, wall };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const reps = Number(arg("--reps") ?? 5);
if (!Number.isInteger(reps) || reps < 1) throw new Error("--reps takes a positive integer");
const types = (arg("--types") ?? "f16,q8_0").split(",");

const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-bench-convert-"));
try {
  const dir = path.join(tmp, "model");
  await mkdir(dir);
  console.log(`generating a TinyLlama-1.1B-shaped f16 checkpoint in ${dir} ...`);
  const bytes = await generateCheckpoint({ dir, shape: TINYLLAMA_SHAPE, tokenizerDir: path.join(root, "test/fixtures/tiny-llama/hf") });
  const child = await bundleChild(tmp);
  const src = path.join(dir, "model.safetensors");
  await cp(src, path.join(tmp, "warm"), false);
  console.log(`checkpoint ${(bytes / 1e9).toFixed(2)} GB, ${os.availableParallelism()} cores, ${reps} reps, load average ${load()}`);
  for (const type of types) {
    for (const durable of [false, true]) {
      const cps: number[] = [];
      const runs: { seconds: number; maxRssKiB: number; bytes: number; wall: number }[] = [];
      for (let i = 0; i < reps; i++) {
        const doCp = async () => cps.push(await cp(src, path.join(tmp, "copy"), durable));
        const doConvert = async () => runs.push(await convert(child, dir, path.join(tmp, `out-${type}.gguf`), type, durable));
        if (i % 2 === 0) await doCp().then(doConvert);
        else await doConvert().then(doCp);
      }
      const walls = runs.map((r) => r.wall);
      // Each rep's cp and conversion ran back to back: their ratio cancels slow swings of a shared machine's load.
      const paired = median(walls.map((w, i) => w / cps[i]!));
      const inner = runs.map((r) => r.seconds);
      const [cpBest, cpMed, best, med] = [Math.min(...cps), median(cps), Math.min(...walls), median(walls)];
      const rss = Math.max(...runs.map((r) => r.maxRssKiB)) / 1024;
      const label = durable ? "durable (fsync) vs cp + fsync" : "no fsync vs plain cp       ";
      console.log(
        `${type.padEnd(5)} ${label}: best cp ${cpBest.toFixed(2)} s, convert ${best.toFixed(2)} s = ${(best / cpBest).toFixed(2)}x cp; ` +
          `median cp ${cpMed.toFixed(2)} s, convert ${med.toFixed(2)} s = ${(med / cpMed).toFixed(2)}x; median of paired ratios ${paired.toFixed(2)}x ` +
          `(conversion alone, best ${Math.min(...inner).toFixed(2)} s); peak RSS ${rss.toFixed(0)} MiB; ` +
          `output ${(runs[0]!.bytes / 1e9).toFixed(2)} GB; load ${load()}`,
      );
    }
  }
  console.log(`load average after: ${load()}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
