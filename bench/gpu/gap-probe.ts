// Where the time between two llama_decode calls goes: records, for every decode step of the engine (ModelResidency +
// generateTokens), when decodeBatch was called and resolved, and when each sampleToken was called and resolved.
// The "gap" (decode resolved -> next decode called) is time the GPU sits idle; it splits into sampling (until the
// last sampled token is back) and the JS hand-off (generators, StepBarrier, batch scheduling).
//   tsx bench/gpu/gap-probe.ts <model.gguf> [B,...]      (GPU=cpu for the CPU build, e.g. with the tiny fixture)
import { getLlama, type LlamaContext, type LlamaContextSequence, type Token } from "node-llama-cpp";
import { generateTokens } from "../../lib/inference/generate-tokens";
import { ModelResidency } from "../../lib/inference/residency";
import { samplingParams } from "../../lib/inference/sampling";
import { onEachToken, overrideNative } from "./hooks";

type Step = { call: number; done: number; samples: Array<[number, number]>; tokens: number; yielded: number; queued: number; dispatched: number };

/** ENGINE_BUSY_POLL=1 (raw probe): keep the event loop from sleeping (a setImmediate loop), as ModelResidency's busyPoll does. */
function spinWhile<T>(p: Promise<T>): Promise<T> {
  if (process.env.ENGINE_BUSY_POLL !== "1") return p;
  let on = true;
  const spin = () => void (on && setImmediate(spin));
  spin();
  return p.finally(() => void (on = false));
}

function instrument(ctx: LlamaContext, steps: Step[]): () => void {
  let pending = 0;
  const restoreNative = overrideNative(ctx, {
    initBatch: (original) => (n) => ((pending = n as number), original(n)),
    decodeBatch: (original) => async () => {
      const s: Step = { call: performance.now(), done: 0, samples: [], tokens: pending, yielded: 0, queued: 0, dispatched: 0 };
      steps.push(s);
      await original();
      s.done = performance.now();
    },
    sampleToken: (original) => async (...a) => {
      const c = performance.now();
      const r = await original(...a);
      steps.at(-1)?.samples.push([c, performance.now()]);
      return r;
    },
  });
  const c = ctx as unknown as { _decodeTokens: (...a: unknown[]) => unknown; dispatchPendingBatch: () => void };
  const [decodeTokens, dispatchPendingBatch] = [c._decodeTokens, c.dispatchPendingBatch];
  c._decodeTokens = (...a: unknown[]) => {
    const last = steps.at(-1);
    if (last) last.queued = performance.now();
    return decodeTokens.apply(ctx, a);
  };
  c.dispatchPendingBatch = () => {
    const last = steps.at(-1);
    if (last && last.queued && !last.dispatched) last.dispatched = performance.now();
    dispatchPendingBatch.call(ctx);
  };
  return () => {
    restoreNative();
    c._decodeTokens = decodeTokens;
    c.dispatchPendingBatch = dispatchPendingBatch;
  };
}

/** Stamps, on the current step, when generateTokens receives each token (the last receipt counts). */
function stamped(seq: LlamaContextSequence, steps: Step[]): LlamaContextSequence {
  return onEachToken(seq, () => {
    const last = steps.at(-1);
    if (last) last.yielded = performance.now();
  });
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
const pct = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]! : NaN);
const prompt = (j: number, n: number) => Array.from({ length: n }, (_, i) => (100 + ((i * 7919 + j * 104729) % 31000)) as Token);

export async function gapProbe(modelPath: string, parallel: number[], log: (s: string) => void = console.log): Promise<void> {
  const gpu = process.env.GPU === "cpu" ? false : "cuda";
  const llama = await getLlama({ gpu, build: "never", usePrebuiltBinaries: gpu === false, progressLogs: false });
  const N = Number(process.env.PROBE_TOKENS ?? 96);
  const npp = Number(process.env.PROBE_PROMPT ?? 128);
  const threads = Number(process.env.ENGINE_THREADS ?? 0);
  const busyPoll = process.env.ENGINE_BUSY_POLL === undefined ? undefined : process.env.ENGINE_BUSY_POLL === "1";
  const residency = new ModelResidency({
    llama,
    budgetBytes: 70 * 2 ** 30,
    sequencesFor: () => Math.max(...parallel),
    contextSize: 1024,
    ...(threads ? { threads } : {}),
    ...(busyPoll === undefined ? {} : { busyPoll }),
  });
  try {
    for (const b of parallel) {
      const leases = await Promise.all(Array.from({ length: b }, () => residency.acquire({ modelPath })));
      const steps: Step[] = [];
      const undo = instrument(leases[0]!.sequence.context, steps);
      const t = performance.now();
      await Promise.all(
        leases.map((l, j) =>
          generateTokens({ sequence: stamped(l.sequence, steps), model: l.model, promptTokens: prompt(j, npp), sampling: samplingParams.parse({ temperature: 0, maxTokens: N }) }).finally(l.release),
        ),
      );
      const total = performance.now() - t;
      undo();
      // Full decode steps only (every sequence past its prompt), and the gap after each of them.
      const full = steps.filter((s) => s.tokens === b);
      const idx = steps.map((s, i) => [s, i] as const).filter(([s]) => s.tokens === b).map(([, i]) => i);
      const gaps: number[] = [];
      const sampleSpan: number[] = [];
      const parts: Record<"toYield" | "toQueue" | "toDispatch" | "toDecode", number[]> = { toYield: [], toQueue: [], toDispatch: [], toDecode: [] };
      for (const i of idx) {
        const s = steps[i]!;
        const next = steps[i + 1];
        if (!next || next.tokens !== b) continue;
        gaps.push(next.call - s.done);
        if (!s.samples.length) continue;
        const sampled = Math.max(...s.samples.map(([, d]) => d));
        sampleSpan.push(sampled - s.done);
        if (s.yielded && s.queued && s.dispatched) {
          parts.toYield.push(s.yielded - sampled);
          parts.toQueue.push(s.queued - s.yielded);
          parts.toDispatch.push(s.dispatched - s.queued);
          parts.toDecode.push(next.call - s.dispatched);
        }
      }
      const decode = full.map((s) => s.done - s.call);
      const perSample = full.flatMap((s) => s.samples.map(([c, d]) => d - c));
      const f = (x: number) => x.toFixed(3);
      log(
        `probe B=${b}: ${full.length} full steps of ${steps.length}; decode p50 ${f(pct(decode, 0.5))} ms; gap p50 ${f(pct(gaps, 0.5))} p90 ${f(pct(gaps, 0.9))} ms ` +
          `(sampling until last token p50 ${f(pct(sampleSpan, 0.5))} ms, one sampleToken p50 ${f(pct(perSample, 0.5))} ms; rest p50 ${f(pct(gaps, 0.5) - pct(sampleSpan, 0.5))} ms); ` +
          `step p50 ${f(pct(decode, 0.5) + pct(gaps, 0.5))} ms, mean ${f(mean(decode) + mean(gaps))} ms; ${((b * N) / total * 1000).toFixed(1)} t/s overall`,
      );
      log(
        `  after the last sample, p50 ms: to the last token in generateTokens ${f(pct(parts.toYield, 0.5))}, to the last queued decode ${f(pct(parts.toQueue, 0.5))}, ` +
          `to dispatch ${f(pct(parts.toDispatch, 0.5))}, to decodeBatch ${f(pct(parts.toDecode, 0.5))} (${parts.toYield.length} steps)`,
      );
    }
  } finally {
    await residency.dispose();
  }
}

type RawCtx = {
  initBatch(n: number): void;
  addToBatch(seq: number, pos: number, tokens: Uint32Array, logits: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  sampleToken(i: number, sampler: unknown): Promise<number>;
  disposeSequence(seq: number): void;
};

/**
 * node-llama-cpp's addon driven directly, the way llama-batched-bench drives llama.cpp: B sequences get a prompt,
 * then each step decodes one token per sequence (all with logits). Timed per step: decode alone, and decode followed
 * by one sampleToken per sequence (greedy). No generators, locks or batch scheduling: the floor for our engine.
 */
export async function rawProbe(modelPath: string, parallel: number[], log: (s: string) => void = console.log): Promise<void> {
  const gpu = process.env.GPU === "cpu" ? false : "cuda";
  const llama = await getLlama({ gpu, build: "never", usePrebuiltBinaries: gpu === false, progressLogs: false });
  const model = await llama.loadModel({ modelPath });
  const maxB = Math.max(...parallel);
  const threads = Number(process.env.ENGINE_THREADS ?? 0);
  const ctx = await model.createContext({ sequences: maxB, contextSize: 1024, ...(threads ? { threads } : {}) });
  const raw = (ctx as unknown as { _ctx: RawCtx })._ctx;
  const bindings = (llama as unknown as { _bindings: { AddonSampler: new (m: unknown) => { applyConfig(c: object): void } } })._bindings;
  const sampler = new bindings.AddonSampler((model as unknown as { _model: unknown })._model);
  sampler.applyConfig({ temperature: 0 });
  const npp = Number(process.env.PROBE_PROMPT ?? 512);
  const ntg = 128;
  try {
    for (const b of parallel) {
      for (let j = 0; j < maxB; j++) raw.disposeSequence(j);
      for (let j = 0; j < b; j++) {
        raw.initBatch(npp);
        raw.addToBatch(j, 0, Uint32Array.from(prompt(j, npp)), new Uint32Array());
        await raw.decodeBatch();
      }
      const times: Record<string, number[]> = { decode: [], "decode+sample": [] };
      let done!: () => void;
      void spinWhile(new Promise<void>((r) => (done = r)));
      for (let i = 0; i < ntg; i++) {
        const mode = i % 2 === 0 ? "decode" : "decode+sample";
        const t = performance.now();
        raw.initBatch(b);
        const idx: number[] = [];
        for (let j = 0; j < b; j++) idx.push(raw.addToBatch(j, npp + i, Uint32Array.of(100 + i), Uint32Array.of(0))[0]!);
        await raw.decodeBatch();
        if (mode === "decode+sample") await Promise.all(idx.map((k) => raw.sampleToken(k, sampler)));
        if (i >= 8) times[mode]!.push(performance.now() - t);
      }
      done();
      const d = pct(times.decode!, 0.5);
      const ds = pct(times["decode+sample"]!, 0.5);
      log(`raw B=${b}: decode step p50 ${d.toFixed(3)} ms (${((b / d) * 1000).toFixed(1)} t/s); decode+sample p50 ${ds.toFixed(3)} ms (${((b / ds) * 1000).toFixed(1)} t/s)`);
    }
  } finally {
    await model.dispose();
  }
}

if (/(gap-probe\.ts|probe\.mjs)$/.test(process.argv[1] ?? "")) {
  const par = (process.argv[3] ?? "1,4,8,16,32").split(",").map(Number);
  (process.env.PROBE === "raw" ? rawProbe : gapProbe)(process.argv[2]!, par).then(
    () => process.exit(0),
    (err: unknown) => (console.error(err), process.exit(1)),
  );
}
