import { createHash } from "node:crypto";
import { getLlama, type Llama, type Token } from "node-llama-cpp";
import type { DecoderSequence } from "../../lib/inference/batch-decoder";
import { generateTokens } from "../../lib/inference/generate-tokens";
import { depotLlama, gpuInfo } from "../../lib/inference/llama";
import { ModelResidency } from "../../lib/inference/residency";
import { samplingParams } from "../../lib/generation/sampling";
import { LLAMA2_7B } from "./make-gguf";

export type EngineResult = {
  model: string;
  /** Engine settings of this run (device-run.sh VARIANTS), "default" for the engine's own. */
  variant: string;
  backend: string;
  gpu: string[];
  gpuLayers: number;
  flashAttention: unknown;
  batchSize: number;
  /** Each step decoded and sampled in one native call (native/node-llama-cpp built into the addon); absent in results of the engine before BatchDecoder. */
  batchSampling?: boolean;
  contextPerSequence: number;
  sequences: number;
  /** Prompt tokens/s for one 512-token prompt (time to first token, median of 3). */
  pp: number;
  /** Aggregate decode tokens/s per parallelism, over the window where every sequence is decoding. */
  /** tokensSha256: of every sequence's generated tokens, to compare engine variants (greedy: equal when they sample alike). */
  tg: Array<{ parallel: number; tokensPerSecond: number; windowTokens: number; windowMs: number; tokensSha256?: string; perStepMs?: PerStepMs }>;
};

/**
 * Milliseconds per token step: llama_decode, sampling, and the GPU's wait between steps (`idle`; results of engines
 * before the native decode loop have `host` instead: JS time between two native calls).
 */
export type PerStepMs = { decode: number; sample: number; idle?: number; host?: number };

/** The worker's Llama (depotLlama: CUDA when usable); a CUDA local build explicitly if that fell back to the CPU. */
async function benchLlama(log: (s: string) => void): Promise<Llama> {
  const llama = await depotLlama();
  if (llama.gpu !== false || process.env.GPU === "cpu") return llama;
  log(`depotLlama() chose the CPU (${(await gpuInfo()).notice ?? "no notice"}); retrying with the local CUDA build`);
  return getLlama({ gpu: "cuda", build: "never", usePrebuiltBinaries: false, progressLogs: false });
}

/** Time-stamps every token the sequence yields. */
function timed(seq: DecoderSequence, stamps: number[]): DecoderSequence {
  return {
    ...seq,
    generate: async function* (prompt, sampling) {
      for await (const t of seq.generate(prompt, sampling)) {
        stamps.push(performance.now());
        yield t;
      }
    },
  };
}

function randomPrompt(n: number, seed: number, vocab: number): Token[] {
  let s = seed * 2654435761 + 1;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (100 + (s % (vocab - 100))) as Token; // skip control and byte tokens
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Measures a GGUF through the worker's own engine: ModelResidency (one context, N sequences) + generateTokens, with
 * greedy sampling. Prompt processing: one 512-token prompt. Decode at parallelism B: B concurrent requests with
 * 512-token prompts; throughput counts tokens inside the window where all B are past their prompts and none has
 * finished, which is what llama-batched-bench's S_TG measures (B sequences decoding together).
 */
export async function engineBench(params: {
  modelPath: string;
  parallel: number[];
  promptTokens: number;
  decodeTokens: number;
  log: (s: string) => void;
}): Promise<EngineResult> {
  const { modelPath, parallel, promptTokens, decodeTokens, log } = params;
  const llama = await benchLlama(log);
  const sequences = Math.max(...parallel);
  const contextPerSequence = 1024;
  // Engine settings under test (device-run.sh VARIANTS): CPU threads per context, busy polling, batch sampling.
  const threads = Number(process.env.ENGINE_THREADS ?? 0);
  const flag = (name: string) => (process.env[name] === undefined ? undefined : process.env[name] === "1");
  const busyPoll = flag("ENGINE_BUSY_POLL");
  const batchSampling = flag("ENGINE_BATCH_SAMPLING");
  const residency = new ModelResidency({
    llama,
    budgetBytes: llama.gpu === false ? 64 * 2 ** 30 : (await llama.getVramState()).total * 0.9,
    sequencesFor: () => sequences,
    contextSize: contextPerSequence,
    ...(threads ? { threads } : {}),
    ...(busyPoll === undefined ? {} : { busyPoll }),
    ...(batchSampling === undefined ? {} : { batchSampling }),
  });
  try {
    const sampling = (maxTokens: number) => samplingParams.parse({ temperature: 0, maxTokens });
    const run = async (prompt: Token[], maxTokens: number, stamps: number[] = []) => {
      const lease = await residency.acquire({ modelPath });
      try {
        // An end-of-generation token is yielded like any other, so every sequence decodes its full count, as in
        // llama-batched-bench (random weights pick the end-of-sequence token now and then).
        return await generateTokens({ sequence: timed(lease.sequence, stamps), model: lease.model, promptTokens: prompt, sampling: sampling(maxTokens), extra: { yieldEog: true } });
      } finally {
        lease.release();
      }
    };
    const first = await residency.acquire({ modelPath });
    const { model, decoder } = first;
    const ctx = decoder.context;
    first.release();
    const vocab = LLAMA2_7B.vocab; // every bench shape keeps Llama 2's tokenizer
    log(`engine: ${llama.gpu} ${(await llama.getGpuDeviceNames()).join(", ")}; gpuLayers ${model.gpuLayers}; flashAttention ${String(ctx.flashAttention)}; batch ${ctx.batchSize}; batch sampling ${decoder.batchSamplingActive}`);

    await run(randomPrompt(promptTokens, 999, vocab), 16); // warm-up: CUDA graphs, kernels, allocations
    const pps: number[] = [];
    const ppDetail: string[] = [];
    for (let r = 0; r < 3; r++) {
      const before = { ...decoder.stats };
      const res = await run(randomPrompt(promptTokens, r + 1, vocab), 1);
      pps.push(promptTokens / (res.ttftMs / 1000));
      const after = decoder.stats;
      ppDetail.push(`ttft ${res.ttftMs.toFixed(2)} ms (prompt step ${(after.promptMs - before.promptMs).toFixed(2)} ms, ${after.steps - before.steps} token steps ran meanwhile)`);
    }
    log(`engine prompts: ${ppDetail.join("; ")}`);
    const pp = median(pps);
    log(`engine pp512: ${pp.toFixed(1)} t/s`);

    const tg: EngineResult["tg"] = [];
    for (const b of parallel) {
      // Extra tokens cover the stagger while the other prompts are prefilled, so the all-decoding window stays ~decodeTokens long.
      const maxTokens = decodeTokens + b;
      const stamps = Array.from({ length: b }, () => [] as number[]);
      const before = { ...decoder.stats };
      const outs = await Promise.all(stamps.map((s, i) => run(randomPrompt(promptTokens, 1000 * b + i, vocab), maxTokens, s)));
      const tokensSha256 = createHash("sha256").update(JSON.stringify(outs.map((o) => o.tokens))).digest("hex");
      if (stamps.some((s) => s.length !== maxTokens)) throw new Error(`B=${b}: a sequence stopped before ${maxTokens} tokens`);
      const t0 = Math.max(...stamps.map((s) => s[0]!));
      const t1 = Math.min(...stamps.map((s) => s[s.length - 1]!));
      const windowTokens = stamps.reduce((a, s) => a + s.filter((t) => t > t0 && t <= t1).length, 0);
      const windowMs = t1 - t0;
      const tokensPerSecond = windowTokens / (windowMs / 1000);
      // Where a decode step's time went (DecoderStats), over this run's steps with one token per sequence.
      const after = decoder.stats;
      const steps = after.steps - before.steps;
      const per = (k: "decodeMs" | "sampleMs" | "idleMs") => (after[k] - before[k]) / steps;
      const perStepMs = { decode: per("decodeMs"), sample: per("sampleMs"), idle: per("idleMs") };
      tg.push({ parallel: b, tokensPerSecond, windowTokens, windowMs, tokensSha256, perStepMs });
      log(`engine tg B=${b}: ${tokensPerSecond.toFixed(1)} t/s (${windowTokens} tokens in ${windowMs.toFixed(0)} ms); per step: decode ${perStepMs.decode.toFixed(3)} ms, sample ${perStepMs.sample.toFixed(3)} ms, idle ${perStepMs.idle.toFixed(3)} ms`);
    }
    return {
      model: modelPath,
      variant: process.env.VARIANT ?? "default",
      backend: String(llama.gpu),
      gpu: await llama.getGpuDeviceNames(),
      gpuLayers: model.gpuLayers,
      flashAttention: ctx.flashAttention,
      batchSize: ctx.batchSize,
      batchSampling: decoder.batchSamplingActive,
      contextPerSequence,
      sequences,
      pp,
      tg,
    };
  } finally {
    await residency.dispose();
  }
}
