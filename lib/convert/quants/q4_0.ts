import { GgmlType } from "../../gguf";
import type { Quant } from "./types";

/**
 * gguf-py's Q4_0.quantize_blocks: d = x[argmax |x|] / -8 (float32), id = 1/d, q = trunc(x * id + 8.5) computed in
 * float64 (as the reference does, to match ggml's FMA), clipped to [0, 15]; low nibbles hold the first half.
 * Block size 32 and 18 bytes per block are literals: the kernel must be self-contained.
 */
export const q4_0: Quant = {
  ggmlType: GgmlType.Q4_0,
  kernel: (src, dst, toHalf) => {
    // Blocks are 18 bytes, so every d sits at an even offset of the (even-aligned) destination.
    const d16 = new Uint16Array(dst.buffer, dst.byteOffset, dst.byteLength >>> 1);
    const n = src.length;
    for (let b = 0, o = 0; b < n; b += 32, o += 18) {
      let amax = 0;
      let max = 0;
      for (let j = b; j < b + 32; j++) {
        const x = src[j]!;
        const a = x < 0 ? -x : x;
        if (a > amax) {
          amax = a;
          max = x;
        }
      }
      const d = Math.fround(max / -8);
      const id = d === 0 ? 0 : Math.fround(1 / d);
      d16[o >>> 1] = toHalf(d);
      for (let j = 0; j < 16; j++) {
        const lo = Math.trunc(src[b + j]! * id + 8.5);
        const hi = Math.trunc(src[b + j + 16]! * id + 8.5);
        dst[o + 2 + j] = (lo < 0 ? 0 : lo > 15 ? 15 : lo) | ((hi < 0 ? 0 : hi > 15 ? 15 : hi) << 4);
      }
    }
  },
};
