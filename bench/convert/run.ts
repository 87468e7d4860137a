import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { tensorHashes, type TensorHash } from "../../test/helpers/gguf-fixtures";
import { generateCheckpoint, TINYLLAMA_SHAPE, type LlamaShape } from "./generate-checkpoint";

// Convert benchmark: a random TinyLlama-1.1B-shaped checkpoint (F16, and BF16 for the bf16 pairs), converted to each
// type and timed against a `cp` of the same bytes in the same run. Every measurement starts after a system-wide
// `sync`, so none pays for another's dirty pages, and the source is in the page cache for both (read once before
// timing). Conversions run in a child process whose peak RSS is read; the child is bundled to plain JavaScript first,
// so its time is node's start-up plus the conversion, not TypeScript compilation. Each pair is named by its
// conditions: "plain" is a conversion that does not fsync (`durable: false`) against a plain `cp`; "durable" the
// default conversion (fsync of file and directory) against `cp` + fsync of the copy. Each pair runs `--reps` times
// (default 5), alternating which goes first, and reports the best and the median of each side and the median of each
// rep's convert/cp ratio. A conversion includes the sha256 of its output (the writer reads the file back as it
// writes it, lib/convert/output-digest.ts), which is what a conversion job records.
// `--baseline <checkout>` also runs another checkout's child (e.g. a worktree of the previous commit) in every rep,
// for an A/B in the same run; an older child that reads its output back after converting reports that pass, and its
// time is given with and without it. `--llama-quantize BIN` also runs that llama-quantize (a build of the bundled
// llama.cpp) in every rep of each `--gguf-types` pair, on the same F16 GGUF with as many threads as the conversion
// takes, and says whether every tensor of the two files has the same type and bytes (the headers may differ). `--pairs` picks pairs as type:plain or type:durable; `--gguf-types` adds GGUF → GGUF quantizations
// (`quantizeGguf`) of the checkpoint's F16 GGUF, plain, against a `cp` of that GGUF. `--small` takes a 4-layer
// model instead, for a smoke run.
// Usage: npx tsx bench/convert/run.ts [--reps N] [--baseline DIR] [--pairs f16:plain,f16:durable,q8_0:plain] [--gguf-types q4_k_m] [--llama-quantize BIN] [--small]
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
async function bundleChild(outDir: string, checkout = root, name = "convert-child"): Promise<string> {
  const out = path.join(outDir, `${name}.mjs`);
  await run(path.join(root, "node_modules/.bin/esbuild"), [path.join(checkout, "bench/convert/convert-child.ts"), "--bundle", "--platform=node", "--format=esm", `--outfile=${out}`, "--log-level=warning"], { cwd: checkout });
  return out;
}

/** `input`: a checkpoint folder, or `{ gguf }` for a GGUF to quantize; `tensors` also hashes the output's tensors. */
async function convert(child: string, input: string | { gguf: string }, out: string, type: string, durable: boolean, tensors = false) {
  let stdout = "";
  const from = typeof input === "string" ? [input] : ["--gguf", input.gguf];
  const wall = await timed(async () => {
    ({ stdout } = await run(process.execPath, [child, ...from, out, type, durable ? "durable" : "fast"], { cwd: root }));
  });
  const hashes = tensors ? await tensorHashes(out) : undefined;
  await rm(out);
  const r = JSON.parse(stdout.trim().split("\n").pop()!) as Omit<Run, "wall" | "readBack" | "tensors"> & { sha256Seconds?: number };
  if (!r.copyFileRange) console.log("  (the copy_file_range addon did not load: unchanged tensors went through worker threads)");
  // The child's wall clock: node's start-up and the conversion (and an older child's read-back pass, kept apart).
  return { ...r, wall, readBack: r.sha256Seconds ?? 0, tensors: hashes };
}

type Tensors = Record<string, TensorHash>;

/** How two outputs' tensors compare: names, types and bytes. */
function compareTensors(ours: Tensors, theirs: Tensors): string {
  const same = (n: string) => ours[n]?.type === theirs[n]?.type && ours[n]?.sha256 === theirs[n]?.sha256;
  const count = Object.keys(ours).length;
  const differ = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].filter((n) => !same(n));
  return differ.length === 0 ? `all ${count} tensors equal to ours (type and bytes)` : `${differ.length} of ${count} tensors differ from ours: ${differ.slice(0, 5).join(", ")}`;
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
const DEFAULT_PAIRS = "f16:plain,f16:durable,bf16:plain,bf16:durable,q8_0:plain,q4_0:plain";
const pairs = (arg("--pairs") ?? DEFAULT_PAIRS).split(",").filter(Boolean).map((p) => {
  const [type, mode] = p.split(":");
  if (!type || (mode !== "plain" && mode !== "durable")) throw new Error(`--pairs: ${p} is not type:plain or type:durable`);
  return { type, durable: mode === "durable" };
});
const ggufTypes = (arg("--gguf-types") ?? "").split(",").filter(Boolean);
const llamaQuantize = arg("--llama-quantize");
/** The conversion's worker threads (write-gguf.ts' default), given to llama-quantize too. */
const threads = Math.min(os.availableParallelism(), 8);
// 4 layers of TinyLlama's width: about 0.4 GB f16, for a smoke run on a busy machine.
const SMALL_SHAPE: LlamaShape = { ...TINYLLAMA_SHAPE, layers: 4 };
const shape = process.argv.includes("--small") ? SMALL_SHAPE : TINYLLAMA_SHAPE;

type Run = { seconds: number; maxRssKiB: number; bytes: number; copyFileRange: boolean; wall: number; readBack: number; tensors?: Tensors };
type Reference = { name: string; work: () => Promise<{ wall: number; tensors: Tensors }> };

const s2 = (x: number) => `${x.toFixed(2)} s`;

/** `reps` pairs of `cp` of `src` and `work`, alternating which goes first, reported as one block. */
async function measure(params: { name: string; src: string; tmp: string; durable: boolean; work: (child: string) => Promise<Run>; reference?: Reference }): Promise<void> {
  const cps: number[] = [];
  const runs: Run[] = [];
  const base: Run[] = [];
  const refs: { wall: number; tensors: Tensors }[] = [];
  const reference = params.reference;
  for (let i = 0; i < reps; i++) {
    const steps = [
      async () => void cps.push(await cp(params.src, path.join(params.tmp, "copy"), params.durable)),
      async () => void runs.push(await params.work(child)),
      ...(baselineChild ? [async () => void base.push(await params.work(baselineChild!))] : []),
      ...(reference ? [async () => void refs.push(await reference.work())] : []),
    ];
    // Each rep rotates which goes first.
    for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]!();
  }
  const walls = runs.map((r) => r.wall);
  // Each rep's cp and conversion ran back to back: their ratio cancels slow swings of a shared machine's load.
  const paired = median(walls.map((w, i) => w / cps[i]!));
  const [cpBest, cpMed] = [Math.min(...cps), median(cps)];
  const rss = Math.max(...runs.map((r) => r.maxRssKiB)) / 1024;
  const pair = params.durable ? "durable: conversion with fsync vs cp + fsync" : "plain: conversion without fsync vs plain cp";
  console.log(
    `${params.name} ${pair} (${reps} alternated reps, output ${(runs[0]!.bytes / 1e9).toFixed(2)} GB, copy_file_range ${runs.every((r) => r.copyFileRange) ? "on" : "off"}, load ${load()})\n` +
      `  median: cp ${s2(cpMed)}, conversion ${s2(median(walls))} = ${(median(walls) / cpMed).toFixed(2)}x; paired ratio ${paired.toFixed(2)}x\n` +
      `  best:   cp ${s2(cpBest)}, conversion ${s2(Math.min(...walls))} = ${(Math.min(...walls) / cpBest).toFixed(2)}x\n` +
      `  peak RSS ${rss.toFixed(0)} MiB; conversion alone (in the child) median ${s2(median(runs.map((r) => r.seconds)))}`,
  );
  if (reference && refs.length > 0) {
    const r = median(refs.map((x) => x.wall));
    const same = [...new Set(refs.map((x, i) => compareTensors(runs[i]!.tensors!, x.tensors)))].join("; ");
    console.log(`  ${reference.name}: median ${s2(r)}, best ${s2(Math.min(...refs.map((x) => x.wall)))}, ${same}; ours / it ${(median(walls) / r).toFixed(2)}x, paired ${median(walls.map((w, i) => w / refs[i]!.wall)).toFixed(2)}x; it / cp ${(r / cpMed).toFixed(2)}x`);
  }
  if (base.length > 0) {
    const [b, bConv] = [median(base.map((r) => r.wall)), median(base.map((r) => r.wall - r.readBack))];
    const withPass = base.some((r) => r.readBack > 0) ? `, ${s2(bConv)} without its read-back pass` : "";
    console.log(`  baseline (${baseline}): median ${s2(b)}${withPass}; this checkout / baseline ${(median(walls) / b).toFixed(2)}x, paired ${median(walls.map((w, i) => w / base[i]!.wall)).toFixed(2)}x, peak RSS ${(Math.max(...base.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MiB`);
  }
}

const baseline = arg("--baseline");
const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-bench-convert-"));
let child = "";
let baselineChild: string | null = null;
try {
  child = await bundleChild(tmp);
  if (baseline) baselineChild = await bundleChild(tmp, path.resolve(baseline), "baseline-child");
  const checkpoints = new Map<"F16" | "BF16", { dir: string; src: string }>();
  /** The checkpoint a type converts from: BF16 for bf16 (a bf16 → bf16 copy), else F16. */
  const checkpointFor = async (type: string) => {
    const dtype = type === "bf16" ? "BF16" : "F16";
    if (!checkpoints.has(dtype)) {
      const dir = path.join(tmp, `model-${dtype.toLowerCase()}`);
      await mkdir(dir);
      console.log(`generating a ${shape === SMALL_SHAPE ? "4-layer " : ""}TinyLlama-1.1B-shaped ${dtype} checkpoint in ${dir} ...`);
      const bytes = await generateCheckpoint({ dir, shape, dtype, tokenizerDir: path.join(root, "test/fixtures/tiny-llama/hf") });
      console.log(`checkpoint ${(bytes / 1e9).toFixed(2)} GB, ${os.availableParallelism()} cores, ${reps} reps, load average ${load()}`);
      checkpoints.set(dtype, { dir, src: path.join(dir, "model.safetensors") });
    }
    const c = checkpoints.get(dtype)!;
    await cp(c.src, path.join(tmp, "warm"), false);
    return c;
  };
  for (const { type, durable } of pairs) {
    const { dir, src } = await checkpointFor(type);
    await measure({ name: type, src, tmp, durable, work: (c) => convert(c, dir, path.join(tmp, `out-${type}.gguf`), type, durable) });
  }
  if (ggufTypes.length > 0) {
    // The GGUF the quantizations start from, as llama-quantize's users have it: the checkpoint converted to F16.
    const f16 = path.join(tmp, "model-f16.gguf");
    await run(process.execPath, [child, (await checkpointFor("f16")).dir, f16, "f16", "fast"], { cwd: root });
    await cp(f16, path.join(tmp, "warm"), false);
    console.log(`GGUF → GGUF from the F16 GGUF (${((await stat(f16)).size / 1e9).toFixed(2)} GB), against cp of that file:`);
    for (const type of ggufTypes) {
      const out = path.join(tmp, `ref-${type}.gguf`);
      const reference: Reference | undefined = llamaQuantize
        ? {
            name: `llama-quantize (${threads} threads)`,
            work: async () => {
              const wall = await timed(() => run(llamaQuantize, [f16, out, type.toUpperCase(), String(threads)]));
              const tensors = await tensorHashes(out);
              await rm(out);
              return { wall, tensors };
            },
          }
        : undefined;
      await measure({ name: type, src: f16, tmp, durable: false, reference, work: (c) => convert(c, { gguf: f16 }, path.join(tmp, `out-${type}.gguf`), type, false, reference !== undefined) });
    }
  }
  console.log(`load average after: ${load()}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
