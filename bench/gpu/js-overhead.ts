// The engine's JavaScript cost per decode step, without llama.cpp's compute: the tiny fixture model is loaded, but the
// context's decodeBatch resolves at once (on the next event-loop turn, as a native completion would) and sampleToken
// returns a fixed token. What is left per step is node-llama-cpp's and our own JS (generators, locks, batch
// scheduling, StepBarrier, detokenize): time the GPU would sit idle. Runs on a CPU:
//   tsx bench/gpu/js-overhead.ts <tiny.gguf> [B,...]
import { getLlama, type LlamaContext, type Token } from "node-llama-cpp";
import { generateTokens } from "../../lib/inference/generate-tokens";
import { ModelResidency } from "../../lib/inference/residency";
import { samplingParams } from "../../lib/inference/sampling";
import { overrideNative } from "./hooks";

function fake(ctx: LlamaContext, counter: { decodes: number }): void {
  overrideNative(ctx, {
    decodeBatch: () => () => (counter.decodes++, new Promise<void>((r) => setImmediate(r))),
    sampleToken: () => (i) => new Promise((r) => setImmediate(() => r(1000 + ((i as number) % 7)))),
  });
}

async function main(modelPath: string, parallel: number[]): Promise<void> {
  const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false });
  const N = Number(process.env.TOKENS ?? 300);
  const residency = new ModelResidency({ llama, budgetBytes: 2 ** 30, sequencesFor: () => Math.max(...parallel), contextSize: 1024, threads: 1 });
  const counter = { decodes: 0 };
  try {
    const first = await residency.acquire({ modelPath });
    fake(first.sequence.context, counter);
    first.release();
    for (const rep of [0, 1, 2]) {
      for (const b of parallel) {
        const leases = await Promise.all(Array.from({ length: b }, () => residency.acquire({ modelPath })));
        counter.decodes = 0;
        const t = performance.now();
        await Promise.all(
          leases.map((l, j) =>
            generateTokens({ sequence: l.sequence, model: l.model, promptTokens: [1, 100 + j, 200] as Token[], sampling: samplingParams.parse({ temperature: 0, maxTokens: N }) }).finally(l.release),
          ),
        );
        const ms = performance.now() - t;
        if (rep > 0) console.log(`js B=${b}: ${((ms / counter.decodes) * 1000).toFixed(0)} µs per decode step (${counter.decodes} steps), ${((ms / (b * N)) * 1000).toFixed(1)} µs per token`);
      }
    }
  } finally {
    await residency.dispose();
  }
}

main(process.argv[2]!, (process.argv[3] ?? "1,8,32").split(",").map(Number)).then(
  () => process.exit(0),
  (err: unknown) => (console.error(err), process.exit(1)),
);
