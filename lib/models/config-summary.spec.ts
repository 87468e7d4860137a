import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { summarizeConfig } from "./config-summary";

const FIXTURE = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama");

describe("summarizeConfig", () => {
  it("reads an HF config.json into the facts people compare", async () => {
    const config = JSON.parse(await readFile(path.join(FIXTURE, "hf/config.json"), "utf8")) as unknown;
    expect(summarizeConfig({ commit: "abc", config })).toEqual([
      { label: "architecture", value: "LlamaForCausalLM (llama)" },
      { label: "layers", value: "2" },
      { label: "hidden size", value: "64" },
      { label: "intermediate size", value: "176" },
      { label: "attention heads", value: "4 (4 KV heads)" },
      { label: "vocabulary", value: "32,000" },
      { label: "context length", value: "2,048 tokens" },
      { label: "RoPE", value: "θ 10,000" },
      { label: "dtype", value: "float16" },
    ]);
  });

  it("names RoPE scaling and reads a multimodal checkpoint's text_config", () => {
    const facts = summarizeConfig({
      config: { architectures: ["MllamaForConditionalGeneration"], text_config: { num_hidden_layers: 40, rope_theta: 500000, rope_scaling: { rope_type: "llama3", factor: 8 }, dtype: "bfloat16" } },
    });
    expect(facts).toContainEqual({ label: "layers", value: "40" });
    expect(facts).toContainEqual({ label: "RoPE", value: "θ 500,000, llama3 ×8" });
    expect(facts).toContainEqual({ label: "dtype", value: "bfloat16" });
  });

  it("reads Meta's params.json, leaving out Llama 2's vocab_size of -1", async () => {
    const params = JSON.parse(await readFile(path.join(FIXTURE, "meta/params.json"), "utf8")) as unknown;
    expect(summarizeConfig({ params })).toEqual([
      { label: "layers", value: "2" },
      { label: "hidden size", value: "64" },
      { label: "attention heads", value: "4" },
    ]);
  });

  it("is empty without a recorded config", () => {
    expect(summarizeConfig(null)).toEqual([]);
    expect(summarizeConfig({ type: "q8_0", fileType: "Q8_0" })).toEqual([]);
  });
});
