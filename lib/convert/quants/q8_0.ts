import { GgmlType } from "../../gguf";
import type { Quant } from "./types";

/**
 * gguf-py's Q8_0.quantize_blocks in numpy float32: d = max|x| / 127, id = 1/d (0 when d is 0),
 * q = np_roundf(x * id), i.e. round half away from zero; d stored as f16 before the 32 int8 values.
 * Block size 32 and 34 bytes per block (GGML_QUANT_SIZES) are literals: the kernel must be self-contained.
 */
export const q8_0: Quant = {
  ggmlType: GgmlType.Q8_0,
  kernel: (src, dst, toHalf) => {
    // Blocks are 34 bytes, so every d sits at an even offset of the (even-aligned) destination.
    const d16 = new Uint16Array(dst.buffer, dst.byteOffset, dst.byteLength >>> 1);
    const q = new Int8Array(dst.buffer, dst.byteOffset, dst.byteLength);
    const n = src.length;
    for (let b = 0, o = 0; b < n; b += 32, o += 34) {
      let amax = 0;
      for (let j = b; j < b + 32; j++) {
        const x = src[j]!;
        const a = x < 0 ? -x : x;
        if (a > amax) amax = a;
      }
      const d = Math.fround(amax / 127);
      const id = d === 0 ? 0 : Math.fround(1 / d);
      d16[o >>> 1] = toHalf(d);
      for (let j = 0, p = o + 2; j < 32; j++, p++) {
        const v = Math.fround(src[b + j]! * id);
        // np_roundf: floor(|v|) + floor(2 * frac) = |v| + 0.5 truncated, exact in float64 for |v| <= ~127.
        q[p] = (v < 0 ? v - 0.5 : v + 0.5) | 0;
      }
    }
  },
  kernelF16: (src, dst, table, toHalf) => {
    const d16 = new Uint16Array(dst.buffer, dst.byteOffset, dst.byteLength >>> 1);
    const q = new Int8Array(dst.buffer, dst.byteOffset, dst.byteLength);
    const block = new Float64Array(32); // widened once, exactly, for both passes
    const n = src.length;
    for (let b = 0, o = 0; b < n; b += 32, o += 34) {
      let amax = 0;
      for (let j = 0; j < 32; j++) {
        const x = table[src[b + j]!]!;
        block[j] = x;
        const a = x < 0 ? -x : x;
        if (a > amax) amax = a;
      }
      const d = Math.fround(amax / 127);
      const id = d === 0 ? 0 : Math.fround(1 / d);
      d16[o >>> 1] = toHalf(d);
      for (let j = 0, p = o + 2; j < 32; j++, p++) {
        const v = Math.fround(block[j]! * id);
        q[p] = (v < 0 ? v - 0.5 : v + 0.5) | 0;
      }
    }
  },
};
