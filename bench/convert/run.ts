import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { generateCheckpoint, TINYLLAMA_SHAPE } from "./generate-checkpoint";

// Convert benchmark: a random TinyLlama-1.1B-shaped checkpoint, converted to f16 and q8_0, each timed against a
// plain `cp` of the same bytes in the same run. Usage: npx tsx bench/convert/run.ts
const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "../..");

async function timeCp(src: string, dst: string): Promise<number> {
  const start = performance.now();
  await run("cp", [src, dst]);
  const s = (performance.now() - start) / 1000;
  await rm(dst);
  return s;
}

async function convertInChild(dir: string, out: string, type: string) {
  const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
  const { stdout } = await run(process.execPath, [tsx, path.join(here, "convert-child.ts"), dir, out, type], { cwd: root, maxBuffer: 1 << 20 });
  await rm(out);
  return JSON.parse(stdout.trim().split("\n").pop()!) as { seconds: number; maxRssKiB: number; bytes: number };
}

const tmp = await mkdtemp(path.join(os.tmpdir(), "depot-bench-convert-"));
try {
  const dir = path.join(tmp, "model");
  await mkdir(dir);
  console.log(`generating TinyLlama-1.1B-shaped checkpoint in ${dir} ...`);
  const bytes = await generateCheckpoint({ dir, shape: TINYLLAMA_SHAPE, tokenizerDir: path.join(root, "test/fixtures/tiny-llama/hf") });
  const src = path.join(dir, "model.safetensors");
  // Warm the page cache for both measurements alike.
  await timeCp(src, path.join(tmp, "warm"));
  console.log(`checkpoint: ${(bytes / 1e9).toFixed(2)} GB, ${os.availableParallelism()} cores`);
  for (const type of ["f16", "q8_0"]) {
    const cp = await timeCp(src, path.join(tmp, "copy"));
    const r = await convertInChild(dir, path.join(tmp, `out-${type}.gguf`), type);
    console.log(
      `${type.padEnd(5)} convert ${r.seconds.toFixed(2)} s, cp ${cp.toFixed(2)} s, ratio ${(r.seconds / cp).toFixed(2)}x cp, ` +
        `peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB, output ${(r.bytes / 1e9).toFixed(2)} GB`,
    );
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
