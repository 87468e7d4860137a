import { GgmlType } from "../../gguf";
import "./k-quants-wasm"; // names the module's file for the factory below (and its worker copies) first
import type { Quant, QuantKernel } from "./types";

/**
 * llama.cpp's reference K-quant quantizers (ggml-quants.c `quantize_row_q{2..6}_K_ref` with `make_qkx2_quants`,
 * `make_q3_quants`, `make_qx_quants`), what `llama-quantize` runs without an importance matrix. Every float operation
 * is rounded to float32 as the C does it (`Math.fround`, no fused multiply-add: ggml-base is built for baseline
 * x86-64), `nearest_int` is ggml's float trick (round half to even), scales go through round-half-to-even fp16.
 *
 * Self-contained factory: worker threads get its source text and call it with the GGML type (chunk-pool.ts); the
 * scratch arrays live in its closure, so the per-block work allocates nothing. `backend` "wasm" (the default) returns
 * the same kernel compiled to WebAssembly (native/k-quants, the same float32 operations: 5–20× faster) where
 * the module's file loads, the JavaScript kernel otherwise (k-quants-wasm.ts logs why once); "js" is the oracle the
 * WebAssembly kernels are tested against.
 */
export function makeKQuantKernel(type: number, backend: "wasm" | "js" = "wasm"): QuantKernel {
  if (backend === "wasm") {
    const wasm = (() => {
      try {
        // K_QUANTS_WASM_ENV (k-quants-wasm.ts), spelled out: the factory is self-contained
        const bytes = process.getBuiltinModule("node:fs").readFileSync(process.env.DEPOT_K_QUANTS_WASM ?? "");
        return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as {
          CAPACITY: WebAssembly.Global; IN: WebAssembly.Global; IN16: WebAssembly.Global; OUT: WebAssembly.Global; memory: WebAssembly.Memory;
          quantize: (type: number, nblocks: number) => void; widen: (nblocks: number) => void;
        };
      } catch {
        return null;
      }
    })();
    if (wasm) {
      // The module quantizes up to CAPACITY super-blocks from IN to OUT per call; its memory never grows.
      const size = ({ 10: 84, 11: 110, 12: 144, 13: 176, 14: 210 } as Record<number, number>)[type];
      if (!size) throw new Error(`no K-quant kernel for GGML type ${type}`);
      const cap: number = wasm.CAPACITY.value;
      const input = new Float32Array(wasm.memory.buffer, wasm.IN.value, cap * 256);
      const input16 = new Uint16Array(wasm.memory.buffer, wasm.IN16.value, cap * 256);
      const output = new Uint8Array(wasm.memory.buffer, wasm.OUT.value, cap * size);
      const run = (src: Float32Array | Uint16Array, dst: Uint8Array) => {
        const blocks = src.length / 256;
        for (let b = 0; b < blocks; b += cap) {
          const n = Math.min(cap, blocks - b);
          if (src instanceof Float32Array) input.set(src.subarray(b * 256, (b + n) * 256));
          else {
            input16.set(src.subarray(b * 256, (b + n) * 256));
            wasm.widen(n);
          }
          wasm.quantize(type, n);
          dst.set(output.subarray(0, n * size), b * size);
        }
      };
      // F16 input is widened in the module too (exactly as the table does), not by the caller.
      return Object.assign((src: Float32Array, dst: Uint8Array) => run(src, dst), { f16: (src: Uint16Array, dst: Uint8Array) => run(src, dst) });
    }
  }
  const fr = Math.fround;
  const EPS = fr(1e-15); // GROUP_MAX_EPS
  const TENTH = fr(0.1);
  const L = new Int8Array(256);
  const Laux = new Uint8Array(32);
  const xm = new Float32Array(32);
  const weights = new Float32Array(32);
  const scales = new Float32Array(16);
  const mins = new Float32Array(16);
  const bitsF = new Float32Array(1);
  const bitsI = new Int32Array(bitsF.buffer);
  let theMin = 0;

  // ggml's nearest_int: the bits of fval + 1.5·2^23 in float32 (valid or not, as the C computes it).
  const nearestInt = (fval: number): number => {
    const v = fr(fval + 12582912);
    if (v >= 8388608 && v < 16777216) return v - 12582912;
    bitsF[0] = v;
    return (bitsI[0]! & 0x007fffff) - 0x00400000;
  };
  const clamp = (l: number, lo: number, hi: number): number => (l < lo ? lo : l > hi ? hi : l);
  const putHalf = (dst: Uint8Array, at: number, h: number): void => {
    dst[at] = h & 0xff;
    dst[at + 1] = h >>> 8;
  };

  /**
   * make_qkx2_quants over x[xo..xo+n) into L[lo..lo+n); returns the scale, leaves -min in theMin. Shortcuts that
   * change no result: x - min is computed once per min, a step whose levels and min equal the previous step's is
   * skipped (same sums, same error, which was already not better than the best), and so is the rest of an error sum
   * that has reached the best.
   */
  const makeQkx2 = (n: number, nmax: number, x: Float32Array, xo: number, w: Float32Array, lo: number, rmin: number, nstep: number, useMad: boolean): number => {
    let min = x[xo]!;
    let max = min;
    let sumW = w[0]!;
    let sumX = fr(sumW * min);
    for (let i = 1; i < n; i++) {
      const xi = x[xo + i]!;
      if (xi < min) min = xi;
      if (xi > max) max = xi;
      const wi = w[i]!;
      sumW = fr(sumW + wi);
      sumX = fr(sumX + fr(wi * xi));
    }
    if (min > 0) min = 0;
    if (max === min) {
      for (let i = 0; i < n; i++) L[lo + i] = 0;
      theMin = -min;
      return 0;
    }
    for (let i = 0; i < n; i++) xm[i] = x[xo + i]! - min; // the store rounds to float32
    let iscale = fr(nmax / fr(max - min));
    let scale = fr(1 / iscale);
    let bestError = 0;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(fr(iscale * xm[i]!)), 0, nmax);
      L[lo + i] = l;
      let diff = fr(fr(fr(scale * l) + min) - x[xo + i]!);
      diff = useMad ? Math.abs(diff) : fr(diff * diff);
      bestError = fr(bestError + fr(w[i]! * diff));
    }
    let fresh = false; // Laux holds the previous step's levels for the current min
    for (let is = 0; is <= nstep; is++) {
      // `min` moves to each better fit's min, as in the C: later steps start from it.
      iscale = fr(fr(fr(rmin + fr(TENTH * is)) + nmax) / fr(max - min));
      let same = fresh;
      for (let i = 0; i < n; i++) {
        const l = clamp(nearestInt(fr(iscale * xm[i]!)), 0, nmax);
        if (l !== Laux[i]) {
          Laux[i] = l;
          same = false;
        }
      }
      fresh = true;
      if (same) continue;
      let sumL = 0;
      let sumL2 = 0;
      let sumXL = 0;
      for (let i = 0; i < n; i++) {
        const l = Laux[i]!;
        const wl = fr(w[i]! * l);
        sumL = fr(sumL + wl);
        sumL2 = fr(sumL2 + fr(wl * l));
        sumXL = fr(sumXL + fr(wl * x[xo + i]!));
      }
      const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
      if (D > 0) {
        let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
        let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
        if (thisMin > 0) {
          thisMin = 0;
          thisScale = fr(sumXL / sumL2);
        }
        // The error only grows term by term (weights and squares are >= 0, float addition is monotonic): once it
        // reaches the best, this step cannot win and the rest of the sum is skipped.
        let curError = 0;
        for (let i = 0; i < n && curError < bestError; i++) {
          let diff = fr(fr(fr(thisScale * Laux[i]!) + thisMin) - x[xo + i]!);
          diff = useMad ? Math.abs(diff) : fr(diff * diff);
          curError = fr(curError + fr(w[i]! * diff));
        }
        if (curError < bestError) {
          for (let i = 0; i < n; i++) L[lo + i] = Laux[i]!;
          bestError = curError;
          scale = thisScale;
          if (thisMin !== min || Object.is(thisMin, -0) !== Object.is(min, -0)) {
            min = thisMin;
            for (let i = 0; i < n; i++) xm[i] = x[xo + i]! - min;
            fresh = false;
          }
        }
      }
    }
    theMin = -min;
    return scale;
  };

  /** make_q3_quants(16, 4, x, L, true): L[lo..lo+16) in 0..7. */
  const makeQ3 = (x: Float32Array, xo: number, lo: number): number => {
    const nmax = 4;
    let max = 0;
    let amax = 0;
    for (let i = 0; i < 16; i++) {
      const xi = x[xo + i]!;
      const ax = Math.abs(xi);
      if (ax > amax) {
        amax = ax;
        max = xi;
      }
    }
    if (amax < EPS) {
      for (let i = 0; i < 16; i++) L[lo + i] = 0;
      return 0;
    }
    const iscale = fr(-nmax / max);
    let sumlx = 0;
    let suml2 = 0;
    for (let i = 0; i < 16; i++) {
      const xi = x[xo + i]!;
      const l = clamp(nearestInt(fr(iscale * xi)), -nmax, nmax - 1);
      L[lo + i] = l;
      const w = fr(xi * xi);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    for (let itry = 0; itry < 5; itry++) {
      let nChanged = 0;
      for (let i = 0; i < 16; i++) {
        const xi = x[xo + i]!;
        const li = L[lo + i]!;
        const w = fr(xi * xi);
        let slx = fr(sumlx - fr(fr(w * xi) * li));
        if (slx > 0) {
          let sl2 = fr(suml2 - fr(fr(w * li) * li));
          const newL = clamp(nearestInt(fr(fr(xi * sl2) / slx)), -nmax, nmax - 1);
          if (newL !== li) {
            slx = fr(slx + fr(fr(w * xi) * newL));
            sl2 = fr(sl2 + fr(fr(w * newL) * newL));
            if (sl2 > 0 && fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
              L[lo + i] = newL;
              sumlx = slx;
              suml2 = sl2;
              nChanged++;
            }
          }
        }
      }
      if (nChanged === 0) break;
    }
    for (let i = 0; i < 16; i++) L[lo + i] = L[lo + i]! + nmax;
    return suml2 > 0 ? fr(sumlx / suml2) : 0;
  };

  /** make_qx_quants(16, 32, x, L, 1, NULL): L[lo..lo+16) in 0..63. */
  const makeQx = (x: Float32Array, xo: number, lo: number): number => {
    const nmax = 32;
    let max = 0;
    let amax = 0;
    for (let i = 0; i < 16; i++) {
      const xi = x[xo + i]!;
      const ax = Math.abs(xi);
      if (ax > amax) {
        amax = ax;
        max = xi;
      }
    }
    if (amax < EPS) {
      for (let i = 0; i < 16; i++) L[lo + i] = 0;
      return 0;
    }
    let iscale = fr(-nmax / max);
    let sumlx = 0;
    let suml2 = 0;
    for (let i = 0; i < 16; i++) {
      const xi = x[xo + i]!;
      const l = clamp(nearestInt(fr(iscale * xi)), -nmax, nmax - 1);
      L[lo + i] = l + nmax;
      const w = fr(xi * xi);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    let scale = suml2 ? fr(sumlx / suml2) : 0;
    let best = fr(scale * sumlx);
    for (let is = -9; is <= 9; is++) {
      if (is === 0) continue;
      iscale = fr(-fr(nmax + fr(TENTH * is)) / max);
      sumlx = 0;
      suml2 = 0;
      for (let i = 0; i < 16; i++) {
        const xi = x[xo + i]!;
        const l = clamp(nearestInt(fr(iscale * xi)), -nmax, nmax - 1);
        Laux[i] = l + nmax;
        const w = fr(xi * xi);
        sumlx = fr(sumlx + fr(fr(w * xi) * l));
        suml2 = fr(suml2 + fr(fr(w * l) * l));
      }
      if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
        for (let i = 0; i < 16; i++) L[lo + i] = Laux[i]!;
        scale = fr(sumlx / suml2);
        best = fr(scale * sumlx);
      }
    }
    return scale;
  };

  /** The 12 scale bytes of Q4_K/Q5_K (6-bit scales and mins), then the re-quantization against the fp16 d/dmin. */
  const packScalesMins = (x: Float32Array, b: number, dst: Uint8Array, o: number, maxScale: number, maxMin: number, nmax: number, table: Float32Array, toHalf: (v: number) => number): void => {
    const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
    const s = o + 4;
    for (let j = 0; j < 8; j++) {
      let ls = nearestInt(fr(invScale * scales[j]!)) & 0xff;
      let lm = nearestInt(fr(invMin * mins[j]!)) & 0xff;
      if (ls > 63) ls = 63;
      if (lm > 63) lm = 63;
      if (j < 4) {
        dst[s + j] = ls;
        dst[s + j + 4] = lm;
      } else {
        dst[s + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
        dst[s + j - 4] = dst[s + j - 4]! | ((ls >> 4) << 6);
        dst[s + j] = dst[s + j]! | ((lm >> 4) << 6);
      }
    }
    const dBits = toHalf(fr(maxScale / 63));
    const mBits = toHalf(fr(maxMin / 63));
    putHalf(dst, o, dBits);
    putHalf(dst, o + 2, mBits);
    const dAll = table[dBits]!;
    const mAll = table[mBits]!;
    for (let j = 0; j < 8; j++) {
      // get_scale_min_k4
      const sc = j < 4 ? dst[s + j]! & 63 : (dst[s + j + 4]! & 0xf) | ((dst[s + j - 4]! >> 6) << 4);
      const m = j < 4 ? dst[s + j + 4]! & 63 : (dst[s + j + 4]! >> 4) | ((dst[s + j]! >> 6) << 4);
      const d = fr(dAll * sc);
      if (d === 0) continue;
      const dm = fr(mAll * m);
      for (let ii = 0; ii < 32; ii++) L[32 * j + ii] = clamp(nearestInt(fr(fr(x[b + 32 * j + ii]! + dm) / d)), 0, nmax);
    }
  };

  /** Q4_K/Q5_K's 32-value sub-blocks (weights sqrt(mean x²) + |x|, then make_qkx2_quants), scales and levels in L. */
  const subBlocks = (x: Float32Array, b: number, dst: Uint8Array, o: number, nmax: number, rmin: number, nstep: number, table: Float32Array, toHalf: (v: number) => number): void => {
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const xo = b + 32 * j;
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(x[xo + l]! * x[xo + l]!));
      const avX = fr(Math.sqrt(fr(sumX2 / 32)));
      for (let l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[xo + l]!); // the Float32Array store rounds
      const scale = fr(makeQkx2(32, nmax, x, xo, weights, 32 * j, rmin, nstep, false));
      scales[j] = scale;
      mins[j] = theMin;
      if (scale > maxScale) maxScale = scale;
      if (theMin > maxMin) maxMin = theMin;
    }
    packScalesMins(x, b, dst, o, maxScale, maxMin, nmax, table, toHalf);
  };

  const q2K: QuantKernel = (x, dst, toHalf, table) => {
    for (let b = 0, o = 0; b < x.length; b += 256, o += 84) {
      let maxScale = 0;
      let maxMin = 0;
      for (let j = 0; j < 16; j++) {
        for (let l = 0; l < 16; l++) weights[l] = Math.abs(x[b + 16 * j + l]!);
        const scale = makeQkx2(16, 3, x, b + 16 * j, weights, 16 * j, -0.5, 15, true);
        scales[j] = scale;
        mins[j] = theMin;
        if (scale > maxScale) maxScale = scale;
        if (theMin > maxMin) maxMin = theMin;
      }
      // layout: scales[16] qs[64] d dmin
      let dBits = 0;
      if (maxScale > 0) {
        const iscale = fr(15 / maxScale);
        for (let j = 0; j < 16; j++) dst[o + j] = nearestInt(fr(iscale * scales[j]!));
        dBits = toHalf(fr(maxScale / 15));
      } else {
        for (let j = 0; j < 16; j++) dst[o + j] = 0;
      }
      let mBits = 0;
      if (maxMin > 0) {
        const iscale = fr(15 / maxMin);
        for (let j = 0; j < 16; j++) dst[o + j] = dst[o + j]! | (nearestInt(fr(iscale * mins[j]!)) << 4);
        mBits = toHalf(fr(maxMin / 15));
      }
      putHalf(dst, o + 80, dBits);
      putHalf(dst, o + 82, mBits);
      const dAll = table[dBits]!;
      const mAll = table[mBits]!;
      for (let j = 0; j < 16; j++) {
        const d = fr(dAll * (dst[o + j]! & 0xf));
        if (d === 0) continue;
        const dm = fr(mAll * (dst[o + j]! >> 4));
        for (let ii = 0; ii < 16; ii++) L[16 * j + ii] = clamp(nearestInt(fr(fr(x[b + 16 * j + ii]! + dm) / d)), 0, 3);
      }
      for (let j = 0; j < 256; j += 128) {
        for (let l = 0; l < 32; l++) dst[o + 16 + j / 4 + l] = L[j + l]! | (L[j + l + 32]! << 2) | (L[j + l + 64]! << 4) | (L[j + l + 96]! << 6);
      }
    }
  };

  const q3K: QuantKernel = (x, dst, toHalf, table) => {
    for (let b = 0, o = 0; b < x.length; b += 256, o += 110) {
      // layout: hmask[32] qs[64] scales[12] d
      let maxScale = 0;
      let amax = 0;
      for (let j = 0; j < 16; j++) {
        const scale = makeQ3(x, b + 16 * j, 16 * j);
        scales[j] = scale;
        if (Math.abs(scale) > amax) {
          amax = Math.abs(scale);
          maxScale = scale;
        }
      }
      const s = o + 96;
      dst.fill(0, s, s + 12);
      let dBits = 0;
      if (maxScale !== 0) {
        const iscale = fr(-32 / maxScale);
        for (let j = 0; j < 16; j++) {
          // int8_t l = nearest_int(...), clamped to [-32, 31], + 32
          let l = (nearestInt(fr(iscale * scales[j]!)) << 24) >> 24;
          l = clamp(l, -32, 31) + 32;
          if (j < 8) dst[s + j] = l & 0xf;
          else dst[s + j - 8] = dst[s + j - 8]! | ((l & 0xf) << 4);
          l >>= 4;
          dst[s + (j % 4) + 8] = dst[s + (j % 4) + 8]! | (l << (2 * (j >> 2)));
        }
        dBits = toHalf(fr(1 / iscale));
      }
      putHalf(dst, o + 108, dBits);
      const dAll = table[dBits]!;
      for (let j = 0; j < 16; j++) {
        let sc = j < 8 ? dst[s + j]! & 0xf : dst[s + j - 8]! >> 4;
        sc = (sc | (((dst[s + 8 + (j % 4)]! >> (2 * (j >> 2))) & 3) << 4)) - 32;
        const d = fr(dAll * sc);
        if (d === 0) continue;
        for (let ii = 0; ii < 16; ii++) L[16 * j + ii] = clamp(nearestInt(fr(x[b + 16 * j + ii]! / d)), -4, 3) + 4;
      }
      dst.fill(0, o, o + 32);
      let m = 0;
      let hm = 1;
      for (let j = 0; j < 256; j++) {
        if (L[j]! > 3) {
          dst[o + m] = dst[o + m]! | hm;
          L[j] = L[j]! - 4;
        }
        if (++m === 32) {
          m = 0;
          hm <<= 1;
        }
      }
      for (let j = 0; j < 256; j += 128) {
        for (let l = 0; l < 32; l++) dst[o + 32 + j / 4 + l] = L[j + l]! | (L[j + l + 32]! << 2) | (L[j + l + 64]! << 4) | (L[j + l + 96]! << 6);
      }
    }
  };

  const q4K: QuantKernel = (x, dst, toHalf, table) => {
    for (let b = 0, o = 0; b < x.length; b += 256, o += 144) {
      // layout: d dmin scales[12] qs[128]
      subBlocks(x, b, dst, o, 15, -1, 20, table, toHalf);
      for (let j = 0, q = o + 16; j < 256; j += 64, q += 32) {
        for (let l = 0; l < 32; l++) dst[q + l] = L[j + l]! | (L[j + l + 32]! << 4);
      }
    }
  };

  const q5K: QuantKernel = (x, dst, toHalf, table) => {
    for (let b = 0, o = 0; b < x.length; b += 256, o += 176) {
      // layout: d dmin scales[12] qh[32] qs[128]
      subBlocks(x, b, dst, o, 31, -0.5, 15, table, toHalf);
      const qh = o + 16;
      dst.fill(0, qh, qh + 32);
      let m1 = 1;
      let m2 = 2;
      for (let n = 0, ql = o + 48; n < 256; n += 64, ql += 32) {
        for (let j = 0; j < 32; j++) {
          let l1 = L[n + j]!;
          if (l1 > 15) {
            l1 -= 16;
            dst[qh + j] = dst[qh + j]! | m1;
          }
          let l2 = L[n + j + 32]!;
          if (l2 > 15) {
            l2 -= 16;
            dst[qh + j] = dst[qh + j]! | m2;
          }
          dst[ql + j] = l1 | (l2 << 4);
        }
        m1 <<= 2;
        m2 <<= 2;
      }
    }
  };

  const q6K: QuantKernel = (x, dst, toHalf, table) => {
    for (let b = 0, o = 0; b < x.length; b += 256, o += 210) {
      // layout: ql[128] qh[64] scales[16] (int8) d
      let maxScale = 0;
      let maxAbsScale = 0;
      for (let ib = 0; ib < 16; ib++) {
        const scale = makeQx(x, b + 16 * ib, 16 * ib);
        scales[ib] = scale;
        const abs = Math.abs(scale);
        if (abs > maxAbsScale) {
          maxAbsScale = abs;
          maxScale = scale;
        }
      }
      if (maxAbsScale < EPS) {
        dst.fill(0, o, o + 210);
        continue;
      }
      const iscale = fr(-128 / maxScale);
      const dBits = toHalf(fr(1 / iscale));
      putHalf(dst, o + 208, dBits);
      const dAll = table[dBits]!;
      for (let ib = 0; ib < 16; ib++) {
        const sc = Math.min(127, nearestInt(fr(iscale * scales[ib]!)));
        dst[o + 192 + ib] = sc;
        const d = fr(dAll * ((sc << 24) >> 24));
        if (d === 0) continue;
        for (let ii = 0; ii < 16; ii++) L[16 * ib + ii] = clamp(nearestInt(fr(x[b + 16 * ib + ii]! / d)), -32, 31) + 32;
      }
      for (let j = 0, ql = o, qh = o + 128; j < 256; j += 128, ql += 64, qh += 32) {
        for (let l = 0; l < 32; l++) {
          const a = L[j + l]!;
          const c = L[j + l + 32]!;
          const e = L[j + l + 64]!;
          const g = L[j + l + 96]!;
          dst[ql + l] = (a & 0xf) | ((e & 0xf) << 4);
          dst[ql + l + 32] = (c & 0xf) | ((g & 0xf) << 4);
          dst[qh + l] = (a >> 4) | ((c >> 4) << 2) | ((e >> 4) << 4) | ((g >> 4) << 6);
        }
      }
    }
  };

  const kernels: Record<number, QuantKernel> = { 10: q2K, 11: q3K, 12: q4K, 13: q5K, 14: q6K };
  const kernel = kernels[type];
  if (!kernel) throw new Error(`no K-quant kernel for GGML type ${type}`);
  return kernel;
}

const kQuant = (ggmlType: GgmlType): Quant => ({ ggmlType, kernel: makeKQuantKernel(ggmlType), factory: makeKQuantKernel });

export const q2_K = kQuant(GgmlType.Q2_K);
export const q3_K = kQuant(GgmlType.Q3_K);
export const q4_K = kQuant(GgmlType.Q4_K);
export const q5_K = kQuant(GgmlType.Q5_K);
export const q6_K = kQuant(GgmlType.Q6_K);
