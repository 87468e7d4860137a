import { GGML_QUANT_SIZES, GgmlType } from "../../gguf";
import { f32ToF16Bits } from "./float-bits";
import type { Quant } from "./types";

const [QK, BLOCK_BYTES] = GGML_QUANT_SIZES[GgmlType.Q4_0];
const HALF = QK / 2;

/**
 * gguf-py's Q4_0.quantize_blocks: d = x[argmax |x|] / -8 (float32), id = 1/d, q = trunc(x * id + 8.5) computed in
 * float64 (as the reference does, to match ggml's FMA), clipped to [0, 15]; low nibbles hold the first half.
 */
export const q4_0: Quant = {
  ggmlType: GgmlType.Q4_0,
  quantize(src, dst) {
    // Blocks are 18 bytes, so every d sits at an even offset of the (even-aligned) destination.
    const d16 = new Uint16Array(dst.buffer, dst.byteOffset, dst.byteLength >>> 1);
    const n = src.length;
    for (let b = 0, o = 0; b < n; b += QK, o += BLOCK_BYTES) {
      let amax = 0;
      let max = 0;
      for (let j = b; j < b + QK; j++) {
        const x = src[j]!;
        const a = x < 0 ? -x : x;
        if (a > amax) {
          amax = a;
          max = x;
        }
      }
      const d = Math.fround(max / -8);
      const id = d === 0 ? 0 : Math.fround(1 / d);
      d16[o >>> 1] = f32ToF16Bits(d);
      for (let j = 0; j < HALF; j++) {
        const lo = Math.trunc(src[b + j]! * id + 8.5);
        const hi = Math.trunc(src[b + j + HALF]! * id + 8.5);
        dst[o + 2 + j] = (lo < 0 ? 0 : lo > 15 ? 15 : lo) | ((hi < 0 ? 0 : hi > 15 ? 15 : hi) << 4);
      }
    }
  },
};
