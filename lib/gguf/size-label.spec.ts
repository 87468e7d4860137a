import { describe, expect, it } from "vitest";
import { sizeLabel } from "./size-label";

describe("sizeLabel", () => {
  it("rounds like gguf-py's model_weight_count_rounded_notation (at least 2 significant digits)", () => {
    expect(sizeLabel({ parameterCount: 4_196_672 })).toBe("4.2M");
    expect(sizeLabel({ parameterCount: 1_100_048_384 })).toBe("1.1B");
    expect(sizeLabel({ parameterCount: 6_738_415_616 })).toBe("6.7B");
    expect(sizeLabel({ parameterCount: 13_015_864_320 })).toBe("13B");
    expect(sizeLabel({ parameterCount: 68_976_648_192 })).toBe("69B");
    expect(sizeLabel({ parameterCount: 512_000 })).toBe("512K");
  });
});
