import { describe, expect, it } from "vitest";
import { envSchema } from "../config/env";
import { parseModelSequences } from "./engine";

describe("parseModelSequences", () => {
  it("reads name=N pairs", () => {
    expect([...parseModelSequences("llama-2-7b-chat=8,tiny=2")]).toEqual([
      ["llama-2-7b-chat", 8],
      ["tiny", 2],
    ]);
    expect(parseModelSequences("").size).toBe(0);
  });

  it("is validated by the configuration schema", () => {
    expect(envSchema.safeParse({ INFERENCE_MODEL_SEQUENCES: "a=1,b=x" }).success).toBe(false);
    expect(envSchema.safeParse({ INFERENCE_MODEL_SEQUENCES: "a=1,b=16" }).success).toBe(true);
  });
});
