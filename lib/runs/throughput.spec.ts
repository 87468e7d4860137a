import { describe, expect, it } from "vitest";
import { throughput } from "./throughput";

describe("throughput", () => {
  it("is empty before anything finished", () => {
    expect(throughput({ startedAt: new Date(0), items: [{ finishedAt: null, tokensOut: null }] })).toEqual([]);
  });

  it("buckets output tokens by finish time into tokens per second", () => {
    const at = (ms: number, tokens: number) => ({ finishedAt: new Date(ms), tokensOut: tokens });
    const points = throughput({ startedAt: new Date(0), items: [at(500, 10), at(900, 10), at(1500, 40), at(2999, 5)] });
    expect(points).toEqual([
      { t: 1, tokensPerSecond: 20 },
      { t: 2, tokensPerSecond: 40 },
      { t: 3, tokensPerSecond: 5 },
    ]);
  });
});
