import type { Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { MIN_COPY_GAIN, PrefixCache } from "./prefix-cache";

const seq = (from: number, n: number) => Array.from({ length: n }, (_, i) => (from + i) as Token);

describe("PrefixCache", () => {
  it("matches the longest held prefix, leaving the prompt's last token to decode", () => {
    const c = new PrefixCache(1000);
    c.hold(0, () => seq(0, 10));
    c.release(0);
    expect(c.match(seq(0, 20), 0, false)).toEqual({ source: 0, length: 10 });
    // The same prompt again: all but its last token.
    expect(c.match(seq(0, 10), 0, false)).toEqual({ source: 0, length: 9 });
    expect(c.match(seq(5, 10), 0, false)).toBeNull();
  });

  it("copies from another sequence only when that saves MIN_COPY_GAIN tokens over the target's own, and only where the runner copies", () => {
    const c = new PrefixCache(1000);
    c.hold(0, () => seq(0, 10));
    c.hold(1, () => seq(0, 10 + MIN_COPY_GAIN));
    const prompt = seq(0, 100);
    expect(c.match(prompt, 0, true)).toEqual({ source: 1, length: 10 + MIN_COPY_GAIN });
    expect(c.match(prompt, 0, false)).toEqual({ source: 0, length: 10 });
    c.hold(1, () => seq(0, 10 + MIN_COPY_GAIN - 1));
    expect(c.match(prompt, 0, true)).toEqual({ source: 0, length: 10 });
    // A busy sequence's prefix is copied too (the copy is ordered after the steps that decode it).
    expect(c.match(prompt, 2, true)).toEqual({ source: 1, length: 10 + MIN_COPY_GAIN - 1 });
  });

  it("evicts the least recently used idle sequences beyond the budget, never a busy one", () => {
    const c = new PrefixCache(55);
    c.hold(0, () => seq(0, 10));
    c.hold(1, () => seq(100, 40));
    c.hold(2, () => seq(200, 10));
    c.release(0);
    // 60 held, only 0 idle.
    expect(c.sequences()).toEqual([1, 2]);
    c.release(1);
    c.release(2);
    expect(c.match(seq(100, 50), 3, true)).toEqual({ source: 1, length: 40 });
    c.hold(3, () => seq(300, 10));
    c.release(3);
    // 1 was matched after 2 was released: 2 goes.
    expect(c.sequences()).toEqual([1, 3]);
    expect(c.heldTokens()).toBeLessThanOrEqual(55);
    c.drop(1);
    expect(c.sequences()).toEqual([3]);
  });
});
