import { describe, expect, it } from "vitest";
import { redact } from "./logger";

describe("redact", () => {
  it("removes query strings, HF tokens, API keys and bearer values", () => {
    const line = redact(
      'GET https://cdn.example/llama-2-7b/consolidated.00.pth?Policy=abc&Signature=def failed; token hf_ABCDEFGHijkl1234 key depot_abcdefgh123 "Bearer xyz.123"',
    );
    expect(line).not.toMatch(/Policy=|Signature=|hf_ABCDEFGH|depot_abcdefgh|xyz\.123/);
    expect(line).toContain("https://cdn.example/llama-2-7b/consolidated.00.pth?<redacted>");
  });
});
