import { GgmlType } from "../../gguf";
import type { Quant } from "./types";

// llama.cpp's quantize_row_q4_0_ref / q5_0_ref / q5_1_ref (ggml-quants.c), llama-quantize's fallbacks when a row is
// not a multiple of 256 (Q2_K/Q3_K → Q4_0, Q4_K → Q5_0, Q5_K → Q5_1). In float32 throughout: gguf-py's Q4_0 (q4_0.ts)
// adds 8.5 in float64 to mimic an FMA build, the baseline x86-64 ggml-base rounds x·id first. Block size 32 and the
// byte counts are literals: the kernels must be self-contained.

/** d = max/-8, q = min(15, trunc(fround(x·id) + 8.5)); 18-byte blocks: d, 16 bytes of nibbles. */
export const q4_0Ref: Quant = {
  ggmlType: GgmlType.Q4_0,
  kernel: (src, dst, toHalf) => {
    const fr = Math.fround;
    for (let b = 0, o = 0; b < src.length; b += 32, o += 18) {
      let amax = 0;
      let max = 0;
      for (let j = b; j < b + 32; j++) {
        const a = Math.abs(src[j]!);
        if (amax < a) {
          amax = a;
          max = src[j]!;
        }
      }
      const d = fr(max / -8);
      const id = d !== 0 ? fr(1 / d) : 0;
      const h = toHalf(d);
      dst[o] = h & 0xff;
      dst[o + 1] = h >>> 8;
      for (let j = 0; j < 16; j++) {
        const lo = Math.min(15, Math.trunc(fr(fr(src[b + j]! * id) + 8.5)));
        const hi = Math.min(15, Math.trunc(fr(fr(src[b + 16 + j]! * id) + 8.5)));
        dst[o + 2 + j] = lo | (hi << 4);
      }
    }
  },
};

/** d = max/-16, q = min(31, trunc(fround(x·id) + 16.5)); 22-byte blocks: d, qh (fifth bits, u32 LE), nibbles. */
export const q5_0Ref: Quant = {
  ggmlType: GgmlType.Q5_0,
  kernel: (src, dst, toHalf) => {
    const fr = Math.fround;
    for (let b = 0, o = 0; b < src.length; b += 32, o += 22) {
      let amax = 0;
      let max = 0;
      for (let j = b; j < b + 32; j++) {
        const a = Math.abs(src[j]!);
        if (amax < a) {
          amax = a;
          max = src[j]!;
        }
      }
      const d = fr(max / -16);
      const id = d !== 0 ? fr(1 / d) : 0;
      const h = toHalf(d);
      dst[o] = h & 0xff;
      dst[o + 1] = h >>> 8;
      let qh = 0;
      for (let j = 0; j < 16; j++) {
        const x0 = Math.min(31, Math.trunc(fr(fr(src[b + j]! * id) + 16.5)));
        const x1 = Math.min(31, Math.trunc(fr(fr(src[b + 16 + j]! * id) + 16.5)));
        dst[o + 6 + j] = (x0 & 0xf) | ((x1 & 0xf) << 4);
        qh |= ((x0 & 0x10) >>> 4) << j;
        qh |= ((x1 & 0x10) >>> 4) << (j + 16);
      }
      dst[o + 2] = qh & 0xff;
      dst[o + 3] = (qh >>> 8) & 0xff;
      dst[o + 4] = (qh >>> 16) & 0xff;
      dst[o + 5] = qh >>> 24;
    }
  },
};

/** d = (max - min)/31, m = min, q = (u8) trunc(fround((x - min)·id) + 0.5); 24-byte blocks: d, m, qh, nibbles. */
export const q5_1Ref: Quant = {
  ggmlType: GgmlType.Q5_1,
  kernel: (src, dst, toHalf) => {
    const fr = Math.fround;
    for (let b = 0, o = 0; b < src.length; b += 32, o += 24) {
      let min = Infinity;
      let max = -Infinity;
      for (let j = b; j < b + 32; j++) {
        const v = src[j]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const d = fr(fr(max - min) / 31);
      const id = d !== 0 ? fr(1 / d) : 0;
      const hd = toHalf(d);
      const hm = toHalf(min);
      dst[o] = hd & 0xff;
      dst[o + 1] = hd >>> 8;
      dst[o + 2] = hm & 0xff;
      dst[o + 3] = hm >>> 8;
      let qh = 0;
      for (let j = 0; j < 16; j++) {
        const x0 = Math.trunc(fr(fr(fr(src[b + j]! - min) * id) + 0.5)) & 0xff;
        const x1 = Math.trunc(fr(fr(fr(src[b + 16 + j]! - min) * id) + 0.5)) & 0xff;
        dst[o + 8 + j] = (x0 & 0xf) | ((x1 & 0xf) << 4);
        qh |= ((x0 & 0x10) >>> 4) << j;
        qh |= ((x1 & 0x10) >>> 4) << (j + 16);
      }
      dst[o + 4] = qh & 0xff;
      dst[o + 5] = (qh >>> 8) & 0xff;
      dst[o + 6] = (qh >>> 16) & 0xff;
      dst[o + 7] = qh >>> 24;
    }
  },
};
