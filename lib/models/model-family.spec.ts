import { describe, expect, it } from "vitest";
import { detectFamily, familyEvidence, familyLabel, type FamilyEvidence } from "./model-family";

const none: FamilyEvidence = { names: [], vocabSize: null, tokenizerPre: null, ropeFreqBase: null, ropeScaling: null, ropeFreqs: false, tiedOutput: false, contextLength: null };
const llama3 = { ...none, vocabSize: 128256, tokenizerPre: "llama-bpe", ropeFreqBase: 500000, contextLength: 8192 };
const llama31 = { ...llama3, ropeFreqs: true, contextLength: 131072 };
const llama2 = { ...none, vocabSize: 32000, tokenizerPre: "default", ropeFreqBase: 10000, contextLength: 4096 };
const detect = (evidence: FamilyEvidence | null, recorded?: string | null) => detectFamily({ evidence, recorded });

describe("familyEvidence", () => {
  it("reads names, vocabulary, RoPE, head and context length from an inspected GGUF", () => {
    const e = familyEvidence({
      metadata: [
        { key: "general.architecture", value: "llama" },
        { key: "general.name", value: "Meta Llama 3.1 8B Instruct" },
        { key: "general.basename", value: "Meta-Llama-3.1" },
        { key: "llama.context_length", value: 131072 },
        { key: "llama.rope.freq_base", value: 500000 },
        { key: "tokenizer.ggml.pre", value: "llama-bpe" },
        { key: "tokenizer.ggml.tokens", length: 128256 },
      ],
      tensors: [{ name: "token_embd.weight" }, { name: "rope_freqs.weight" }],
    });
    expect(e).toEqual({ names: ["Meta Llama 3.1 8B Instruct", "Meta-Llama-3.1"], vocabSize: 128256, tokenizerPre: "llama-bpe", ropeFreqBase: 500000, ropeScaling: null, ropeFreqs: true, tiedOutput: true, contextLength: 131072 });
  });
});

describe("detectFamily", () => {
  it("takes the family a GGUF's name says", () => {
    for (const [name, family] of [
      ["Meta Llama 3.1 8B Instruct", "llama-3.1"], ["Llama 3.2 1B Instruct", "llama-3.2"], ["Llama-3.3-70B-Instruct", "llama-3.3"],
      ["Meta-Llama-3-8B", "llama-3"], ["Llama 2 7b Chat", "llama-2"], ["llama2-13b", "llama-2"], ["CodeLlama 7b Hf", "code-llama"], ["Code Llama 34B", "code-llama"],
    ] as const) {
      expect(detect({ ...none, names: [name] }), name).toBe(family);
    }
  });

  it("tells Llama 3 from 3.1 and 3.2 by RoPE scaling and the tied output head when the name does not say", () => {
    expect(detect({ ...llama3, names: ["Tiny Llama"] })).toBe("llama-3");
    expect(detect(llama31)).toBe("llama-3.1");
    expect(detect({ ...llama3, ropeScaling: "llama3" })).toBe("llama-3.1");
    expect(detect({ ...llama31, tiedOutput: true })).toBe("llama-3.2");
    // Llama 3's vocabulary size with another tokenizer is not Llama 3.
    expect(detect({ ...llama31, tokenizerPre: "gpt2" })).toBeNull();
  });

  it("tells Llama 2 and Code Llama by RoPE base and context length, and nothing else with their vocabulary", () => {
    expect(detect(llama2)).toBe("llama-2");
    expect(detect({ ...llama2, vocabSize: 32016, ropeFreqBase: 1e6, contextLength: 16384 })).toBe("code-llama");
    expect(detect({ ...llama2, contextLength: 32768 })).toBeNull();
    expect(detect({ ...llama2, contextLength: 2048 })).toBeNull();
  });

  it("keeps the recorded family unless the GGUF's shape contradicts it or says more", () => {
    expect(detect(null, "llama-3.2")).toBe("llama-3.2");
    expect(detect({ ...llama2, contextLength: 2048 }, "llama-2")).toBe("llama-2");
    expect(detect(llama31, "llama-3.3")).toBe("llama-3.3");
    expect(detect(llama31, "llama-3")).toBe("llama-3.1");
    expect(detect(llama31, "llama-2")).toBe("llama-3.1");
    expect(detect({ ...llama31, names: ["Meta Llama 3.1 70B"] }, "llama-3.3")).toBe("llama-3.1");
    expect(detect(none)).toBeNull();
  });
});

describe("familyLabel", () => {
  it("names known families and shows other recorded values as they are", () => {
    expect(familyLabel("llama-3.1")).toBe("Llama 3.1");
    expect(familyLabel("code-llama")).toBe("Code Llama");
    expect(familyLabel("mistral")).toBe("mistral");
  });
});
