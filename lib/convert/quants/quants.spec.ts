import { describe, expect, it } from "vitest";
import { GgmlType } from "../../gguf";
import { bf16 } from "./bf16";
import { f32ToF16Bits, F16_TO_F32 } from "./float-bits";
import { q4_0 } from "./q4_0";
import { q8_0 } from "./q8_0";
import { chooseTensorType } from "./registry";
import { quantizeChunk } from "./quantize-chunk";

const ramp = () => Float32Array.from({ length: 32 }, (_, j) => j - 16);

describe("f32ToF16Bits", () => {
  it("rounds to nearest, ties to even, with overflow, subnormals and NaN as numpy", () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00], [-Infinity, 0xfc00],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [2 ** -24, 0x0001], [2 ** -25, 0x0000],
      [3 * 2 ** -26, 0x0001], [2 ** -14, 0x0400], [NaN, 0x7e00], [-0, 0x8000],
    ];
    for (const [v, bits] of cases) expect(f32ToF16Bits(v), String(v)).toBe(bits);
  });

  it("round-trips every finite half", () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && f32ToF16Bits(F16_TO_F32[h]!) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });
});

describe("bf16", () => {
  it("rounds to nearest even and quiets NaN like ggml_compute_fp32_to_bf16", () => {
    const dst = new Uint8Array(8);
    bf16.kernel(new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, NaN]), dst, f32ToF16Bits, F16_TO_F32);
    expect([...new Uint16Array(dst.buffer)]).toEqual([0x3f80, 0x3f80, 0x3f82, 0x7fc0]);
  });
});

describe("q8_0", () => {
  it("stores d = max|x|/127 as f16 and rounds x/d half away from zero", () => {
    const dst = new Uint8Array(34);
    q8_0.kernel(ramp(), dst, f32ToF16Bits, F16_TO_F32);
    const d = F16_TO_F32[dst[0]! | (dst[1]! << 8)]!;
    expect(d).toBeCloseTo(16 / 127, 3);
    const q = [...new Int8Array(dst.buffer, 2, 32)];
    expect(q[0]).toBe(-127);
    expect(q[16]).toBe(0);
    expect(q[20]).toBe(32); // 4 * 127/16 = 31.75
    expect(q[18]).toBe(16); // 2 * 127/16 = 15.875
  });

  it("rounds exact halves away from zero (np_roundf, not banker's rounding)", () => {
    // max 127 → d = 1, id = 1: x = ±2.5 must give ±3, where round-half-even would give ±2.
    const x = new Float32Array(32);
    x.set([127, 2.5, -2.5, 0.5, -0.5, 1.5]);
    const dst = new Uint8Array(34);
    q8_0.kernel(x, dst, f32ToF16Bits, F16_TO_F32);
    expect([...new Int8Array(dst.buffer, 2, 6)]).toEqual([127, 3, -3, 1, -1, 2]);
  });

  it("writes an all-zero block for zeros", () => {
    const dst = new Uint8Array(34).fill(1);
    q8_0.kernel(new Float32Array(32), dst, f32ToF16Bits, F16_TO_F32);
    expect([...dst]).toEqual(new Array(34).fill(0));
  });
});

describe("q4_0", () => {
  it("scales by the signed extreme / -8 and packs the first half in the low nibbles", () => {
    const dst = new Uint8Array(18);
    q4_0.kernel(ramp(), dst, f32ToF16Bits, F16_TO_F32); // extreme -16 → d = 2, q = trunc(x/2 + 8.5) clipped to 15
    expect(dst[0]! | (dst[1]! << 8)).toBe(0x4000);
    const q = Array.from({ length: 32 }, (_, j) => Math.min(15, Math.trunc((j - 16) / 2 + 8.5)));
    expect([...dst.subarray(2)]).toEqual(Array.from({ length: 16 }, (_, j) => q[j]! | (q[j + 16]! << 4)));
  });
});

describe("quantizeChunk", () => {
  it("decodes F16 and BF16 sources before quantizing", () => {
    const halves = new Uint16Array(Array.from(ramp(), (v) => f32ToF16Bits(v)));
    const fromF16 = quantizeChunk({ bytes: new Uint8Array(halves.buffer), dtype: "F16", ggmlType: GgmlType.Q8_0 });
    const direct = new Uint8Array(34);
    q8_0.kernel(ramp(), direct, f32ToF16Bits, F16_TO_F32);
    expect(fromF16).toEqual(direct);
    const brain = new Uint16Array(Array.from(new Uint32Array(ramp().buffer), (b) => b >>> 16));
    expect(quantizeChunk({ bytes: new Uint8Array(brain.buffer), dtype: "BF16", ggmlType: GgmlType.Q8_0 })).toEqual(direct);
  });
});

describe("chooseTensorType", () => {
  it("keeps 1-D tensors F32 and falls back to F16 when rows are not whole blocks", () => {
    expect(chooseTensorType({ outType: "q8_0", shape: [64] })).toBe(GgmlType.F32);
    expect(chooseTensorType({ outType: "q8_0", shape: [64, 64] })).toBe(GgmlType.Q8_0);
    expect(chooseTensorType({ outType: "q8_0", shape: [64, 176] })).toBe(GgmlType.F16);
    expect(chooseTensorType({ outType: "q4_0", shape: [64, 176] })).toBe(GgmlType.F16);
    expect(chooseTensorType({ outType: "bf16", shape: [64, 176] })).toBe(GgmlType.BF16);
  });
});
