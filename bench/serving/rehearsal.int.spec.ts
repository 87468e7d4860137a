import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyGguf } from "../../test/helpers/tiny-gguf";
import { measureTarget, REHEARSAL_SHAPE, renderServingReport } from "./run";
import { engineTarget } from "./targets";

let llama: Llama;
let gguf: string;

beforeAll(async () => {
  [llama, gguf] = await Promise.all([getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never }), tinyGguf()]);
});

afterAll(async () => {
  await llama?.dispose();
});

describe("bench/serving rehearsal, the engine in-process on the fixture", () => {
  it("completes every request at each rate and reports throughput, TTFT, TPOT and ITL percentiles, and the prefix scenarios", async () => {
    const make = (prefixCacheTokens?: number) => engineTarget({ llama, modelPath: gguf, sequences: 2, contextSize: 512, threads: 1, prefixCacheTokens });
    const target = await make();
    try {
      const settings = { rates: [50, Infinity], n: 6, seed: 3, shape: REHEARSAL_SHAPE, prefix: true, rehearsal: true };
      const r = await measureTarget(target, settings, { sequences: 2 }, () => make(0));
      expect(r.rates.map((x) => x.rate)).toEqual([50, "inf"]);
      for (const x of r.rates) {
        expect(x).toMatchObject({ n: 6, completed: 6, failed: 0 });
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
});
