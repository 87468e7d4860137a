import type { LlamaContextSequence } from "node-llama-cpp";
import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { StepBarrier } from "./step-barrier";

/** A stand-in sequence whose evaluate() yields `tokens` tokens, `delay(i)` event-loop turns apart. */
function fakeSequence(name: string, tokens: number, log: string[], delay: (i: number) => number = () => 1): LlamaContextSequence {
  return {
    name,
    async *evaluate() {
      for (let i = 0; i < tokens; i++) {
        for (let d = delay(i); d > 0; d--) await tick();
        log.push(`${name}${i}`);
        yield i;
      }
    },
  } as unknown as LlamaContextSequence;
}

async function drain(seq: LlamaContextSequence, log: string[], name: string): Promise<void> {
  for await (const t of seq.evaluate([])) log.push(`${name}>${String(t)}`);
}

describe("StepBarrier", () => {
  it("lets no sequence ask for its next token before every decoding sequence has its current one", async () => {
    const barrier = new StepBarrier();
    const log: string[] = [];
    // Both start decoding together; then b's tokens come back later than a's, as when they land in different batches.
    const a = barrier.wrap(fakeSequence("a", 4, log, () => 1));
    const b = barrier.wrap(fakeSequence("b", 4, log, (i) => (i === 0 ? 1 : 4)));
    await Promise.all([drain(a, log, "a"), drain(b, log, "b")]);
    const produced = log.filter((l) => !l.includes(">")).map((l) => l[0]);
    expect(produced).toHaveLength(8);
    // Unsynchronised, a would run 3 tokens ahead of b. A sequence joins at its first token, so a may lead by one
    // round, and within a round by one more; never further.
    let lead = 0;
    let maxLead = 0;
    for (const l of log.filter((x) => x.includes(">"))) {
      lead += l.startsWith("a") ? 1 : -1;
      maxLead = Math.max(maxLead, lead);
    }
    expect(maxLead).toBeLessThanOrEqual(2);
  });

  it("does not hold the others when a sequence ends without a token (end of sequence)", async () => {
    const barrier = new StepBarrier(10_000);
    const log: string[] = [];
    const started = performance.now();
    const short = barrier.wrap(fakeSequence("s", 2, log, () => 2));
    const long = barrier.wrap(fakeSequence("l", 6, log, () => 1));
    await Promise.all([drain(short, log, "s"), drain(long, log, "l")]);
    expect(log.filter((l) => l.startsWith("l>"))).toHaveLength(6);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("does not hold the others when a consumer stops early", async () => {
    const barrier = new StepBarrier(10_000);
    const log: string[] = [];
    const started = performance.now();
    const stopper = barrier.wrap(fakeSequence("x", 10, log));
    const other = barrier.wrap(fakeSequence("y", 6, log, () => 3));
    await Promise.all([
      (async () => {
        for await (const t of stopper.evaluate([])) if (t === 2) break;
      })(),
      drain(other, log, "y"),
    ]);
    expect(log.filter((l) => l.startsWith("y>"))).toHaveLength(6);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
