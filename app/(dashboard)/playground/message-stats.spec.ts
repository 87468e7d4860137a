import { describe, expect, it } from "vitest";
import { DEFAULT_SAMPLING, toParams } from "../runs/sampling-fields";
import { formatStats, samplingFromParams } from "./message-stats";

describe("formatStats", () => {
  it("shows counts, first-token time and speed", () => {
    expect(formatStats({ tokensIn: 12, tokensOut: 50, ttftMs: 40, durationMs: 2000 })).toBe("50 tokens · 12 prompt tokens · first token 40 ms · 25.0 tokens/s");
  });
  it("leaves out what was not recorded (replies stored before ttft was saved)", () => {
    expect(formatStats({ tokensIn: null, tokensOut: 8, ttftMs: null, durationMs: 1000 })).toBe("8 tokens · 8.0 tokens/s");
    expect(formatStats({ tokensIn: null, tokensOut: null, ttftMs: null, durationMs: null })).toBe("");
  });
});

describe("samplingFromParams", () => {
  it("is the inverse of toParams", () => {
    const form = { temperature: "0.8", topP: "0.9", topK: "20", repeatPenalty: "1.1", maxTokens: "99", seed: "7", stop: "</s>|###" };
    expect(samplingFromParams(toParams(form), DEFAULT_SAMPLING)).toEqual(form);
  });
  it("clears a seed the params do not set and keeps the base for missing fields", () => {
    expect(samplingFromParams({ temperature: 1 }, { ...DEFAULT_SAMPLING, seed: "3" })).toEqual({ ...DEFAULT_SAMPLING, temperature: "1", seed: "" });
  });
});
