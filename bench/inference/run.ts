import { mkdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getLlama } from "node-llama-cpp";
import { convertModel } from "../../lib/convert";
import { samplingParams } from "../../lib/generation/sampling";
import { ModelResidency, runGeneration } from "../../lib/inference";
import { generateCheckpoint, type LlamaShape } from "../convert/generate-checkpoint";

// Inference benchmark: 64 prompts on a random ~100M-parameter Llama GGUF on CPU, run one at a time (one
// sequence) and then through 4, 8 and 16 parallel sequences of one context, in the same process.
// Usage: node_modules/.bin/tsx bench/inference/run.ts [--type f16|q8_0] [--max-tokens 32] [--threads N]

/** hidden 768, 8 layers, ffn 2048, 12 heads, Llama 2 vocabulary: 106 M parameters. */
const SHAPE: LlamaShape = { hidden: 768, layers: 8, ffn: 2048, heads: 12, kvHeads: 12, vocab: 32000 };
const root = path.resolve(import.meta.dirname, "../..");

const { values } = parseArgs({
  options: {
    type: { type: "string", default: "f16" },
    "max-tokens": { type: "string", default: "32" },
    prompts: { type: "string", default: "64" },
    parallel: { type: "string", default: "4,8,16" },
    threads: { type: "string", default: String(os.availableParallelism()) },
  },
});
const type = values.type as "f16" | "q8_0";
const maxTokens = Number(values["max-tokens"]);
const threads = Number(values.threads);
const prompts = Array.from({ length: Number(values.prompts) }, (_, i) => `Prompt ${i}: tell me about the number ${i * 17} and`);

async function model(): Promise<string> {
  const dir = path.join(os.tmpdir(), "depot-bench-inference");
  const file = path.join(dir, `llama-106m-${type}.gguf`);
  if (await stat(file).then(() => true, () => false)) return file;
  const ckpt = path.join(dir, "checkpoint");
  await mkdir(ckpt, { recursive: true });
  console.log(`generating a random ${SHAPE.hidden}x${SHAPE.layers} Llama checkpoint in ${ckpt} ...`);
  await generateCheckpoint({ dir: ckpt, shape: SHAPE, tokenizerDir: path.join(root, "test/fixtures/tiny-llama/hf") });
  const r = await convertModel({ inputDir: ckpt, outFile: file, type, name: "Bench Llama 106M" });
  await rm(ckpt, { recursive: true });
  console.log(`converted: ${(r.parameterCount / 1e6).toFixed(1)} M parameters, ${(r.bytes / 2 ** 20).toFixed(0)} MiB ${r.fileType}`);
  return file;
}

const modelPath = await model();
const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false });
const sampling = samplingParams.parse({ temperature: 0, maxTokens });
console.log(`${prompts.length} prompts × ${maxTokens} tokens, greedy, CPU, ${threads} threads (${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(1)})`);

/** Wall time, and the process's CPU time (llama.cpp's threads included): on a shared machine the latter is the fairer base. */
async function measure(sequences: number): Promise<{ tokens: number; seconds: number; cpuSeconds: number }> {
  const residency = new ModelResidency({ llama, budgetBytes: 8 * 2 ** 30, sequencesFor: () => sequences, contextSize: 256, threads });
  try {
    (await residency.acquire({ modelPath })).release(); // load outside the timing
    const start = performance.now();
    const cpu = process.cpuUsage();
    // All prompts are submitted at once; the residency hands each free sequence to the next waiting prompt.
    const results = await Promise.all(prompts.map((prompt) => runGeneration({ residency, modelPath, input: { mode: "completion", prompt }, sampling })));
    const used = process.cpuUsage(cpu);
    return { tokens: results.reduce((s, r) => s + r.tokens.length, 0), seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  } finally {
    await residency.dispose();
  }
}

const rows: { label: string; tps: number; perCpu: number }[] = [];
for (const n of [1, ...values.parallel.split(",").map(Number)]) {
  const r = await measure(n);
  const row = { label: n === 1 ? "sequential (1 sequence)" : `${n} parallel sequences`, tps: r.tokens / r.seconds, perCpu: r.tokens / r.cpuSeconds };
  rows.push(row);
  console.log(`${row.label.padEnd(24)} ${r.tokens} tokens in ${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(1)} CPU s) = ${row.tps.toFixed(1)} tokens/s`);
}
const base = rows[0]!;
console.log("\nconfiguration             tokens/s   × sequential   tokens/CPU-s   × sequential");
for (const r of rows) {
  console.log(`${r.label.padEnd(24)} ${r.tps.toFixed(1).padStart(9)}   ${(r.tps / base.tps).toFixed(2).padStart(11)}×   ${r.perCpu.toFixed(1).padStart(12)}   ${(r.perCpu / base.perCpu).toFixed(2).padStart(11)}×`);
}
await llama.dispose();
