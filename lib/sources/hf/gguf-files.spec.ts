import { describe, expect, it } from "vitest";
import { completeSplitSets, ggufUnits, quantOf, selectQuant, splitPart } from "./gguf-files";

const f = (path: string, size = 10) => ({ path, size });

describe("GGUF file names", () => {
  it("reads the quant tag publishers put in file names, and split parts", () => {
    expect(quantOf("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf")).toBe("Q4_K_M");
    expect(quantOf("model.IQ3_XXS.gguf")).toBe("IQ3_XXS");
    expect(quantOf("tiny-llama-bf16.gguf")).toBe("BF16");
    expect(quantOf("big/Model-Q8_0-00002-of-00003.gguf")).toBe("Q8_0");
    expect(quantOf("tiny-llama-split-00001-of-00002.gguf")).toBeNull();
    expect(splitPart("a/M-Q8_0-00002-of-00003.gguf")).toEqual({ index: 2, count: 3, stem: "a/M-Q8_0" });
    expect(splitPart("M-Q8_0.gguf")).toBeNull();
  });

  it("groups split parts into one unit, in order, complete only with every part", () => {
    const units = ggufUnits([f("M-Q8_0-00002-of-00002.gguf"), f("M-Q8_0-00001-of-00002.gguf"), f("M-F16.gguf", 5), f("README.md")]);
    expect(units.map((u) => [u.stem, u.quant, u.files.map((x) => x.path), u.bytes, u.complete])).toEqual([
      ["M-F16", "F16", ["M-F16.gguf"], 5, true],
      ["M-Q8_0", "Q8_0", ["M-Q8_0-00001-of-00002.gguf", "M-Q8_0-00002-of-00002.gguf"], 20, true],
    ]);
    expect(ggufUnits([f("M-Q8_0-00001-of-00003.gguf"), f("M-Q8_0-00002-of-00003.gguf")])[0]!.complete).toBe(false);
  });

  it("selects a quant case-insensitively (a split set whole), refusing unknown and ambiguous tags", () => {
    const files = [f("M-Q8_0-00001-of-00002.gguf"), f("M-Q8_0-00002-of-00002.gguf"), f("M-F16.gguf"), f("sub/M-F16.gguf")];
    expect(selectQuant({ files, quant: "q8_0", repo: "o/r" }).map((x) => x.path)).toEqual(["M-Q8_0-00001-of-00002.gguf", "M-Q8_0-00002-of-00002.gguf"]);
    expect(() => selectQuant({ files, quant: "Q4_K_M", repo: "o/r" })).toThrow("o/r has no GGUF tagged Q4_K_M (quant tags there: F16, Q8_0)");
    expect(() => selectQuant({ files, quant: "f16", repo: "o/r" })).toThrow("several GGUFs tagged F16 (M-F16.gguf, sub/M-F16.gguf): pick one with --include");
    expect(completeSplitSets([files[0]!], files).map((x) => x.path)).toEqual(["M-Q8_0-00001-of-00002.gguf", "M-Q8_0-00002-of-00002.gguf"]);
  });
});
