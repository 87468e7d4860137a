// Why our decode trails llama-batched-bench: counts the tokens in each llama_decode batch and the time spent in
// decode and sampling, for node-llama-cpp's bare evaluate loop (one sequence, by CPU threads) and for the engine
// (residency + generateTokens, 1 to 32 sequences).
//   node diagnose.mjs <model.gguf>
import { getLlama, type LlamaContext, type Token } from "node-llama-cpp";
import { generateTokens } from "../../lib/inference/generate-tokens";
import { ModelResidency } from "../../lib/inference/residency";
import { samplingParams } from "../../lib/inference/sampling";
import { overrideNative } from "./hooks";

type Stats = { batches: number[]; decodeMs: number; sampleMs: number; samples: number };

/** Wraps the native context so every batch size and the time in decodeBatch/sampleToken are recorded. */
function instrument(ctx: LlamaContext, stats: Stats): void {
  overrideNative(ctx, {
    initBatch: (original) => (n) => (stats.batches.push(n as number), original(n)),
    decodeBatch: (original) => async (...a) => {
      const s = performance.now();
      const r = await original(...a);
      stats.decodeMs += performance.now() - s;
      return r;
    },
    sampleToken: (original) => async (...a) => {
      const s = performance.now();
      const r = await original(...a);
      stats.sampleMs += performance.now() - s;
      stats.samples++;
      return r;
    },
  });
}

const prompt = (j: number) => Array.from({ length: 512 }, (_, i) => (100 + ((i * 7919 + j * 104729) % 31000)) as Token);

function summary(label: string, b: number, tokens: number, ms: number, st: Stats): string {
  const decodeBatches = st.batches.filter((n) => n <= b);
  const avg = decodeBatches.reduce((a, n) => a + n, 0) / Math.max(1, decodeBatches.length);
  return `${label} B=${b}: ${((tokens / ms) * 1000).toFixed(1)} t/s overall, ${decodeBatches.length} decode batches of ${avg.toFixed(2)} tokens avg, decode ${(st.decodeMs / Math.max(1, decodeBatches.length)).toFixed(2)} ms/batch, sample ${(st.sampleMs / Math.max(1, st.samples)).toFixed(3)} ms/call`;
}

async function main(modelPath: string): Promise<void> {
  const llama = await getLlama({ gpu: "cuda", build: "never", usePrebuiltBinaries: false, progressLogs: false });
  const N = 128;
  // Single-sequence decode vs the CPU threads given to the context (all layers are on the GPU).
  for (const threads of [0, 1, 4]) {
    const model = await llama.loadModel({ modelPath });
    const ctx = await model.createContext({ sequences: 1, contextSize: 1024, ...(threads ? { threads } : {}) });
    const st: Stats = { batches: [], decodeMs: 0, sampleMs: 0, samples: 0 };
    instrument(ctx, st);
    const seq = ctx.getSequence();
    const t = performance.now();
    let n = 0;
    for await (const tok of seq.evaluate(prompt(0), { temperature: 0 })) {
      model.detokenize([tok]);
      if (++n >= N) break;
    }
    console.log(summary(`bare evaluate, threads ${threads || "default"}`, 1, N, performance.now() - t, st));
    await model.dispose();
  }

  // The engine path (what the worker runs), same instrumentation.
  const residency = new ModelResidency({ llama, budgetBytes: 70 * 2 ** 30, sequencesFor: () => 32, contextSize: 1024 });
  try {
    for (const b of [1, 8, 32]) {
      const leases = await Promise.all(Array.from({ length: b }, () => residency.acquire({ modelPath })));
      const st: Stats = { batches: [], decodeMs: 0, sampleMs: 0, samples: 0 };
      instrument(leases[0]!.sequence.context, st);
      const t = performance.now();
      await Promise.all(
        leases.map((l, j) =>
          generateTokens({ sequence: l.sequence, model: l.model, promptTokens: prompt(j), sampling: samplingParams.parse({ temperature: 0, maxTokens: N }) }).finally(l.release),
        ),
      );
      console.log(summary("engine generateTokens", b, b * N, performance.now() - t, st));
    }
  } finally {
    await residency.dispose();
  }
}

main(process.argv[2]!).then(
  () => process.exit(0),
  (err: unknown) => (console.error(err), process.exit(1)),
);
