import { describe, expect, it } from "vitest";
import { F16_TO_F32, f32ToF16Bits } from "./float-bits";
import { q8_0 } from "./q8_0";
import { Q8_0_SIMD_MAX_INPUT, Q8_0_SIMD_WASM, quantizeQ8_0Simd, type Q8_0SimdExports } from "./q8_0-simd";

describe("quantizeQ8_0Simd", () => {
  const simd = new WebAssembly.Instance(new WebAssembly.Module(Q8_0_SIMD_WASM), {}).exports as Q8_0SimdExports;

  it("gives the JS kernel's bytes for random, subnormal, zero, tie and extreme blocks", () => {
    const blocks = 8192;
    const halves = new Uint16Array(blocks * 32);
    for (let i = 0; i < halves.length; i++) halves[i] = Math.floor(Math.random() * 0x7c00) | (Math.random() < 0.5 ? 0x8000 : 0);
    const special = [
      new Array(32).fill(0), // all zeros: d = 0, id = 0
      Array.from({ length: 32 }, (_, j) => j), // subnormals only
      Array.from({ length: 32 }, (_, j) => f32ToF16Bits(j === 0 ? 127 : (j % 2 ? 1 : -1) * (j + 0.5))), // exact .5 ties
      Array.from({ length: 32 }, (_, j) => (j === 5 ? 0x7bff : 0xfbff)), // ±65504
    ];
    special.forEach((block, k) => halves.set(block, k * 32));
    const input = new Uint8Array(halves.buffer);
    const got = new Uint8Array(blocks * 34);
    quantizeQ8_0Simd(input, got, simd, f32ToF16Bits);
    const want = new Uint8Array(blocks * 34);
    q8_0.kernelF16!(halves, want, F16_TO_F32, f32ToF16Bits);
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
    expect([...new Int8Array(got.buffer, 2 * 34 + 2, 4)]).toEqual([127, 2, -3, 4]); // 1.5 → 2, -2.5 → -3, 3.5 → 4
  });

  it("takes a whole Q8_0_SIMD_MAX_INPUT chunk", () => {
    const halves = new Uint16Array(Q8_0_SIMD_MAX_INPUT / 2).fill(0x3c00);
    const out = new Uint8Array((halves.length / 32) * 34);
    quantizeQ8_0Simd(new Uint8Array(halves.buffer), out, simd, f32ToF16Bits);
    expect(out.at(-1)).toBe(127);
    expect(out[out.length - 34]! | (out[out.length - 33]! << 8)).toBe(f32ToF16Bits(1 / 127));
  });
});
