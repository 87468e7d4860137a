import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { tinyGguf } from "../../test/helpers/tiny-gguf";
import { depotEnv, depotTarget, WARM_UP } from "./depot-path";
import { measureTarget, REHEARSAL_SHAPE, renderServingReport, type BenchSettings } from "./run";
import { engineTarget, llamaServerTarget } from "./targets";
import { chatWorkload } from "./workload";

let llama: Llama;
let gguf: string;
let env: TestEnv;

const SEQUENCES = 2;
const CONTEXT = 512;

beforeAll(async () => {
  env = await setupTestEnv();
  Object.assign(process.env, depotEnv(SEQUENCES));
  [llama, gguf] = await Promise.all([getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never }), tinyGguf()]);
});

afterAll(async () => {
  await llama?.dispose();
});

const settings = (prefix: boolean): BenchSettings => ({ rates: [50, Infinity], n: 6, seed: 3, shape: REHEARSAL_SHAPE, prefix, rehearsal: true });
/** What every request of a rate asks for: the targets must generate exactly that (end-of-sequence ignored). */
const requestedMean = (n: number) => +(chatWorkload({ n, rate: Infinity, seed: 3, shape: REHEARSAL_SHAPE }).reduce((a, r) => a + r.maxTokens, 0) / n).toFixed(1);

describe("bench/serving rehearsal on the fixture", () => {
  it("(b) the engine in-process: every request at each rate, throughput, TTFT, TPOT and ITL percentiles, and the prefix scenarios", async () => {
    const make = (prefixCacheTokens?: number) => engineTarget({ llama, modelPath: gguf, sequences: SEQUENCES, contextSize: CONTEXT, threads: 1, prefixCacheTokens });
    const target = await make();
    try {
      const r = await measureTarget(target, settings(true), { sequences: SEQUENCES }, () => make(0));
      expect(r.rates.map((x) => x.rate)).toEqual([50, "inf"]);
      for (const x of r.rates) {
        expect(x).toMatchObject({ n: 6, completed: 6, failed: 0, meanOutputTokens: requestedMean(6) });
        expect(x.outputTokensPerS).toBeGreaterThan(0);
        for (const p of [x.ttftMs, x.tpotMs, x.itlMs]) expect(p.p50 <= p.p90 && p.p90 <= p.p99).toBe(true);
      }
      expect(r.prefix!.batch.completed).toBe(8);
      expect(r.prefix!.batchNoCache!.completed).toBe(8);
      expect(r.prefix!.chat.ttftMs).toHaveLength(4);
      // The prefix scenarios reused cached prompt tokens (the engine's counters).
      expect(target.stats().cachedTokens).toBeGreaterThan(0);
      const md = renderServingReport([r], {});
      expect(md).toContain("### Rate all at once");
      expect(md).toContain("### Prefix scenarios");
    } finally {
      await target.close();
    }
  });

  it("(a) the full path (/v1 route handler, Redis, BullMQ, a worker process) gives each request the tokens (b) gives it, and measures like (b)", async () => {
    const a = await depotTarget({
      dataDir: env.dataDir,
      modelPath: gguf,
      workerCommand: [process.execPath, "--import", "tsx", path.join(import.meta.dirname, "run.ts"), "worker", gguf],
      workerEnv: { SEQUENCES: String(SEQUENCES), CONTEXT: String(CONTEXT), THREADS: "1" },
    });
    const b = await engineTarget({ llama, modelPath: gguf, sequences: SEQUENCES, contextSize: CONTEXT, threads: 1, name: "engine" });
    try {
      // (a) warmed up on this request: (b) too, so both prefix caches hold the same prompts.
      await b.send(WARM_UP);
      // One at a time: greedy tokens from the same prompts in the same order, whatever the batch composition would do.
      for (const req of chatWorkload({ n: 6, rate: Infinity, seed: 5, shape: REHEARSAL_SHAPE })) {
        const [x, y] = [await a.send(req), await b.send(req)];
        expect(x.outputTokens).toBe(req.maxTokens);
        expect(y.outputTokens).toBe(req.maxTokens);
        expect(x.promptTokens).toBe(y.promptTokens);
        expect(x.text).toBe(y.text);
        expect(x.stamps.length).toBeGreaterThan(1);
      }
      const ra = await measureTarget(a, settings(false), { sequences: SEQUENCES });
      const rb = await measureTarget(b, settings(false), { sequences: SEQUENCES });
      for (const x of ra.rates) expect(x).toMatchObject({ n: 6, completed: 6, failed: 0, meanOutputTokens: requestedMean(6) });
      const md = renderServingReport([ra, rb], {});
      // The (a)/(b) column: a number on (a)'s row, 1.00 on (b)'s.
      expect(md).toMatch(/\| depot \/v1 \| 6\/6 \|[^|]*\|[^|]*\| - \| \d+\.\d\d \|/);
      expect(md).toMatch(/\| engine \| 6\/6 \|[^|]*\|[^|]*\| - \| 1\.00 \|/);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it("(c) drives llama-server's /completion for exactly the requested tokens, streamed (a fake server speaking its SSE)", async () => {
    const bodies: Array<{ prompt: string; n_predict: number }> = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (req.url !== "/completion") return res.writeHead(404).end();
        const b = JSON.parse(body) as (typeof bodies)[number];
        bodies.push(b);
        res.writeHead(200, { "content-type": "text/event-stream" });
        const prompt = b.prompt.split(" ").length + 1;
        // As llama-server streams: one partial per token (an empty content while a character is incomplete), then the final.
        for (let i = 1; i <= b.n_predict; i++) res.write(`data: ${JSON.stringify({ index: 0, content: i === 2 ? "" : " w", tokens: [], stop: false, id_slot: 0, tokens_predicted: i, tokens_evaluated: prompt })}\n\n`);
        res.end(`data: ${JSON.stringify({ index: 0, content: "", tokens: [], stop: true, tokens_predicted: b.n_predict, tokens_evaluated: prompt, stop_type: "limit", timings: {} })}\n\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const c = llamaServerTarget({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, name: "llama-server" });
      const r = await measureTarget(c, settings(false), {});
      for (const x of r.rates) expect(x).toMatchObject({ n: 6, completed: 6, failed: 0, meanOutputTokens: requestedMean(6) });
      // The warm-up's 4 and two rates of 6, each asking for its own length, end-of-sequence ignored, streamed.
      expect(bodies).toHaveLength(16);
      const asked = chatWorkload({ n: 6, rate: Infinity, seed: 3, shape: REHEARSAL_SHAPE });
      const sorted = (xs: number[]) => xs.sort((x, y) => x - y);
      expect(sorted(bodies.slice(4, 10).map((b) => b.n_predict))).toEqual(sorted(asked.map((q) => q.maxTokens)));
      for (const b of bodies) expect(b).toMatchObject({ ignore_eos: true, stream: true, temperature: 0, cache_prompt: true });
      const one = await c.send(asked[0]!);
      expect(one.stamps).toHaveLength(asked[0]!.maxTokens);
      expect(one.outputTokens).toBe(asked[0]!.maxTokens);
      expect(renderServingReport([r], {})).toMatch(/\| llama-server \| 6\/6 \|[^|]*\|[^|]*\| 1\.00 \| - \|/);
    } finally {
      server.close();
    }
  });
});
