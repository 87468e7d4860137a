import { describe, expect, it } from "vitest";
import { subjectOf } from "./job-subjects";

const names = {
  models: new Map([["m1", "llama-2-7b"], ["m2", "llama-2-7b-q8_0"]]),
  items: new Map([["i1", { id: "r1", name: "eval set", index: 2 }]]),
};

describe("subjectOf", () => {
  it("names the models a job works on, by id when the row is gone", () => {
    expect(subjectOf("convert", { kind: "convert", modelId: "m1", outModelId: "m2" }, names).title).toBe("llama-2-7b → llama-2-7b-q8_0");
    expect(subjectOf("verify", { kind: "verify", modelId: "gone" }, names).title).toBe("verify model gone");
    expect(subjectOf("download", { kind: "download", modelIds: ["m1"] }, names).title).toBe("download llama-2-7b");
    expect(subjectOf("download", { kind: "download", repo: "org/x", quant: "Q4_K_M", modelIds: ["m1"] }, names).title).toBe("download org/x:Q4_K_M");
    expect(subjectOf("inference", { kind: "generate", modelId: "m2" }, names).title).toBe("chat with llama-2-7b-q8_0");
  });

  it("puts a batch item under its run", () => {
    expect(subjectOf("inference", { kind: "run-item", runItemId: "i1" }, names)).toEqual({ title: "eval set · item 3", run: { id: "r1", name: "eval set" } });
    expect(subjectOf("inference", { kind: "run-item", runItemId: "nope" }, names)).toEqual({ title: "batch item (run deleted)", run: null });
  });
});
