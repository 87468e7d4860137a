// AssemblyScript port of lib/convert/quants/k-quants.ts (llama.cpp's quantize_row_q{2..6}_K_ref), compiled to
// WebAssembly by scripts/build-wasm.ts. The same float32 operations in the same order: WebAssembly's f32 arithmetic is
// IEEE single precision and never fused, as the baseline x86-64 ggml-base build computes it, so the bytes are the
// same (lib/convert/quants/k-quants-wasm.spec.ts compares the two on random and edge-case rows). Plain .as, not .ts:
// the app's TypeScript and ESLint do not know AssemblyScript's types.
//
// quantize(type, nblocks): the float32 super-blocks at IN → the blocks of GGML `type` at OUT.

/** Super-blocks one call takes (the caller splits longer inputs). */
export const CAPACITY: i32 = 64;
export const IN: usize = heap.alloc(CAPACITY * 256 * 4);
export const OUT: usize = heap.alloc(CAPACITY * 210);

const L: usize = memory.data(256, 16); // levels of the super-block (int8: Q3_K's are signed until offset)
const LAUX: usize = memory.data(32, 16);
const XM: usize = memory.data(128, 16);
const W: usize = memory.data(128, 16);
const SCALES: usize = memory.data(64, 16);
const MINS: usize = memory.data(64, 16);
const EPS: f32 = 1e-15; // GROUP_MAX_EPS
const TENTH: f32 = 0.1;
let theMin: f32 = 0;

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function setF(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}
// @ts-ignore: decorator
@inline function u8at(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + <usize>i);
}
// @ts-ignore: decorator
@inline function i8at(p: usize, i: i32): i32 {
  return <i32>load<i8>(p + <usize>i);
}
// @ts-ignore: decorator
@inline function setB(p: usize, i: i32, v: i32): void {
  store<u8>(p + <usize>i, <u8>v);
}
// @ts-ignore: decorator
@inline function orB(p: usize, i: i32, v: i32): void {
  store<u8>(p + <usize>i, load<u8>(p + <usize>i) | <u8>v);
}

/** ggml's nearest_int: the low bits of fval + 1.5·2^23 in float32. */
// @ts-ignore: decorator
@inline function nearestInt(fval: f32): i32 {
  return (reinterpret<i32>(fval + <f32>12582912) & 0x007fffff) - 0x00400000;
}
// @ts-ignore: decorator
@inline function clamp(l: i32, lo: i32, hi: i32): i32 {
  return l < lo ? lo : l > hi ? hi : l;
}

/** float32 → half bits, round to nearest even (float-bits.ts' makeF32ToF16Bits). */
function toHalf(value: f32): i32 {
  const b = reinterpret<u32>(value);
  const sign = (b >> 16) & 0x8000;
  const exp = b & 0x7f800000;
  let sig = b & 0x007fffff;
  if (exp >= 0x47800000) {
    if (exp == 0x7f800000 && sig != 0) {
      const nan = 0x7c00 + (sig >> 13);
      return <i32>(sign + (nan == 0x7c00 ? 0x7c01 : nan));
    }
    return <i32>(sign + 0x7c00);
  }
  if (exp <= 0x38000000) {
    if (exp < 0x33000000) return <i32>sign;
    const e = exp >> 23;
    sig = (0x00800000 + sig) >> (113 - e);
    if ((sig & 0x3fff) != 0x1000 || (b & 0x7ff) != 0) sig += 0x1000;
    return <i32>(sign + (sig >> 13));
  }
  const hExp = (exp - 0x38000000) >> 13;
  if ((sig & 0x3fff) != 0x1000) sig += 0x1000;
  return <i32>(sign + ((hExp + (sig >> 13)) & 0xffff));
}

/** Half bits → float32 (finite halves: the scales this module stores). */
function fromHalf(h: i32): f32 {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp == 0) return reinterpret<f32>(sign | reinterpret<i32>(<f32>mant * <f32>5.9604644775390625e-8));
  if (exp == 31) return mant != 0 ? NaN : reinterpret<f32>(sign | 0x7f800000);
  return reinterpret<f32>(sign | ((exp + 112) << 23) | (mant << 13));
}

// @ts-ignore: decorator
@inline function putHalf(dst: usize, at: i32, h: i32): void {
  store<u16>(dst + <usize>at, <u16>h);
}

/**
 * make_qkx2_quants over x[0..n) into L[lo..lo+n) with the weights at W; returns the scale, leaves -min in theMin.
 * The shortcuts are k-quants.ts' (each changes no result).
 */
// @ts-ignore: decorator
@inline function makeQkx2(n: i32, nmax: i32, x: usize, lo: i32, rmin: f32, nstep: i32, useMad: bool): f32 {
  let min = f(x, 0);
  let max = min;
  let sumW = f(W, 0);
  let sumX = sumW * min;
  for (let i = 1; i < n; i++) {
    const xi = f(x, i);
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const wi = f(W, i);
    sumW = sumW + wi;
    sumX = sumX + wi * xi;
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (let i = 0; i < n; i++) setB(L, lo + i, 0);
    theMin = -min;
    return 0;
  }
  for (let i = 0; i < n; i++) setF(XM, i, f(x, i) - min);
  let iscale: f32 = <f32>nmax / (max - min);
  let scale: f32 = <f32>1 / iscale;
  let bestError: f32 = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(iscale * f(XM, i)), 0, nmax);
    setB(L, lo + i, l);
    let diff: f32 = scale * <f32>l + min - f(x, i);
    diff = useMad ? Mathf.abs(diff) : diff * diff;
    bestError = bestError + f(W, i) * diff;
  }
  let fresh = false;
  for (let is = 0; is <= nstep; is++) {
    iscale = (rmin + TENTH * <f32>is + <f32>nmax) / (max - min);
    let same = fresh;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(iscale * f(XM, i)), 0, nmax);
      if (l != u8at(LAUX, i)) {
        setB(LAUX, i, l);
        same = false;
      }
    }
    fresh = true;
    if (same) continue;
    let sumL: f32 = 0;
    let sumL2: f32 = 0;
    let sumXL: f32 = 0;
    for (let i = 0; i < n; i++) {
      const l = <f32>u8at(LAUX, i);
      const wl = f(W, i) * l;
      sumL = sumL + wl;
      sumL2 = sumL2 + wl * l;
      sumXL = sumXL + wl * f(x, i);
    }
    const D = sumW * sumL2 - sumL * sumL;
    if (D > 0) {
      let thisScale = (sumW * sumXL - sumX * sumL) / D;
      let thisMin = (sumL2 * sumX - sumL * sumXL) / D;
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = sumXL / sumL2;
      }
      let curError: f32 = 0;
      for (let i = 0; i < n && curError < bestError; i++) {
        let diff: f32 = thisScale * <f32>u8at(LAUX, i) + thisMin - f(x, i);
        diff = useMad ? Mathf.abs(diff) : diff * diff;
        curError = curError + f(W, i) * diff;
      }
      if (curError < bestError) {
        memory.copy(L + <usize>lo, LAUX, <usize>n);
        bestError = curError;
        scale = thisScale;
        if (reinterpret<i32>(thisMin) != reinterpret<i32>(min)) {
          min = thisMin;
          for (let i = 0; i < n; i++) setF(XM, i, f(x, i) - min);
          fresh = false;
        }
      }
    }
  }
  theMin = -min;
  return scale;
}

/** make_q3_quants(16, 4, x, L, true): L[lo..lo+16) in 0..7. */
function makeQ3(x: usize, lo: i32): f32 {
  const nmax = 4;
  let max: f32 = 0;
  let amax: f32 = 0;
  for (let i = 0; i < 16; i++) {
    const xi = f(x, i);
    const ax = Mathf.abs(xi);
    if (ax > amax) {
      amax = ax;
      max = xi;
    }
  }
  if (amax < EPS) {
    for (let i = 0; i < 16; i++) setB(L, lo + i, 0);
    return 0;
  }
  const iscale: f32 = <f32>-nmax / max;
  let sumlx: f32 = 0;
  let suml2: f32 = 0;
  for (let i = 0; i < 16; i++) {
    const xi = f(x, i);
    const l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
    setB(L, lo + i, l);
    const w = xi * xi;
    sumlx = sumlx + w * xi * <f32>l;
    suml2 = suml2 + w * <f32>l * <f32>l;
  }
  for (let itry = 0; itry < 5; itry++) {
    let nChanged = 0;
    for (let i = 0; i < 16; i++) {
      const xi = f(x, i);
      const li = i8at(L, lo + i);
      const w = xi * xi;
      let slx = sumlx - w * xi * <f32>li;
      if (slx > 0) {
        let sl2 = suml2 - w * <f32>li * <f32>li;
        const newL = clamp(nearestInt((xi * sl2) / slx), -nmax, nmax - 1);
        if (newL != li) {
          slx = slx + w * xi * <f32>newL;
          sl2 = sl2 + w * <f32>newL * <f32>newL;
          if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
            setB(L, lo + i, newL);
            sumlx = slx;
            suml2 = sl2;
            nChanged++;
          }
        }
      }
    }
    if (nChanged == 0) break;
  }
  for (let i = 0; i < 16; i++) setB(L, lo + i, i8at(L, lo + i) + nmax);
  return suml2 > 0 ? sumlx / suml2 : 0;
}

/** make_qx_quants(16, 32, x, L, 1, NULL): L[lo..lo+16) in 0..63. */
function makeQx(x: usize, lo: i32): f32 {
  const nmax = 32;
  let max: f32 = 0;
  let amax: f32 = 0;
  for (let i = 0; i < 16; i++) {
    const xi = f(x, i);
    const ax = Mathf.abs(xi);
    if (ax > amax) {
      amax = ax;
      max = xi;
    }
  }
  if (amax < EPS) {
    for (let i = 0; i < 16; i++) setB(L, lo + i, 0);
    return 0;
  }
  let iscale: f32 = <f32>-nmax / max;
  let sumlx: f32 = 0;
  let suml2: f32 = 0;
  for (let i = 0; i < 16; i++) {
    const xi = f(x, i);
    const l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
    setB(L, lo + i, l + nmax);
    const w = xi * xi;
    sumlx = sumlx + w * xi * <f32>l;
    suml2 = suml2 + w * <f32>l * <f32>l;
  }
  let scale: f32 = suml2 != 0 ? sumlx / suml2 : 0;
  let best: f32 = scale * sumlx;
  for (let is = -9; is <= 9; is++) {
    if (is == 0) continue;
    iscale = -(<f32>nmax + TENTH * <f32>is) / max;
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < 16; i++) {
      const xi = f(x, i);
      const l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
      setB(LAUX, i, l + nmax);
      const w = xi * xi;
      sumlx = sumlx + w * xi * <f32>l;
      suml2 = suml2 + w * <f32>l * <f32>l;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      memory.copy(L + <usize>lo, LAUX, 16);
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

/** Q4_K/Q5_K: the 8 sub-blocks, the 12 scale bytes, d and dmin at dst, and the levels re-quantized into L. */
// @ts-ignore: decorator
@inline function subBlocks(x: usize, dst: usize, nmax: i32, rmin: f32, nstep: i32): void {
  let maxScale: f32 = 0;
  let maxMin: f32 = 0;
  for (let j = 0; j < 8; j++) {
    const xo = x + <usize>(128 * j);
    let sumX2: f32 = 0;
    for (let l = 0; l < 32; l++) sumX2 = sumX2 + f(xo, l) * f(xo, l);
    const avX = Mathf.sqrt(sumX2 / 32);
    for (let l = 0; l < 32; l++) setF(W, l, avX + Mathf.abs(f(xo, l)));
    const scale = makeQkx2(32, nmax, xo, 32 * j, rmin, nstep, false);
    setF(SCALES, j, scale);
    setF(MINS, j, theMin);
    if (scale > maxScale) maxScale = scale;
    if (theMin > maxMin) maxMin = theMin;
  }
  const invScale: f32 = maxScale > 0 ? <f32>63 / maxScale : 0;
  const invMin: f32 = maxMin > 0 ? <f32>63 / maxMin : 0;
  const s = dst + 4;
  for (let j = 0; j < 8; j++) {
    let ls = nearestInt(invScale * f(SCALES, j)) & 0xff;
    let lm = nearestInt(invMin * f(MINS, j)) & 0xff;
    if (ls > 63) ls = 63;
    if (lm > 63) lm = 63;
    if (j < 4) {
      setB(s, j, ls);
      setB(s, j + 4, lm);
    } else {
      setB(s, j + 4, (ls & 0xf) | ((lm & 0xf) << 4));
      orB(s, j - 4, (ls >> 4) << 6);
      orB(s, j, (lm >> 4) << 6);
    }
  }
  const dBits = toHalf(maxScale / 63);
  const mBits = toHalf(maxMin / 63);
  putHalf(dst, 0, dBits);
  putHalf(dst, 2, mBits);
  const dAll = fromHalf(dBits);
  const mAll = fromHalf(mBits);
  for (let j = 0; j < 8; j++) {
    // get_scale_min_k4
    const sc = j < 4 ? u8at(s, j) & 63 : (u8at(s, j + 4) & 0xf) | ((u8at(s, j - 4) >> 6) << 4);
    const m = j < 4 ? u8at(s, j + 4) & 63 : (u8at(s, j + 4) >> 4) | ((u8at(s, j) >> 6) << 4);
    const d = dAll * <f32>sc;
    if (d == 0) continue;
    const dm = mAll * <f32>m;
    for (let ii = 0; ii < 32; ii++) setB(L, 32 * j + ii, clamp(nearestInt((f(x, 32 * j + ii) + dm) / d), 0, nmax));
  }
}

/** Q2_K/Q3_K/Q6_K's bit planes: qs[32·j/128 + l] = the 2-bit L[j + l + 32·k] for k = 0..3. */
// @ts-ignore: decorator
@inline function pack2(q: usize): void {
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) {
      setB(q, j / 4 + l, u8at(L, j + l) | (u8at(L, j + l + 32) << 2) | (u8at(L, j + l + 64) << 4) | (u8at(L, j + l + 96) << 6));
    }
  }
}

function q2K(x: usize, dst: usize): void {
  let maxScale: f32 = 0;
  let maxMin: f32 = 0;
  for (let j = 0; j < 16; j++) {
    const xo = x + <usize>(64 * j);
    for (let l = 0; l < 16; l++) setF(W, l, Mathf.abs(f(xo, l)));
    const scale = makeQkx2(16, 3, xo, 16 * j, -0.5, 15, true);
    setF(SCALES, j, scale);
    setF(MINS, j, theMin);
    if (scale > maxScale) maxScale = scale;
    if (theMin > maxMin) maxMin = theMin;
  }
  // layout: scales[16] qs[64] d dmin
  let dBits = 0;
  if (maxScale > 0) {
    const iscale: f32 = <f32>15 / maxScale;
    for (let j = 0; j < 16; j++) setB(dst, j, nearestInt(iscale * f(SCALES, j)));
    dBits = toHalf(maxScale / 15);
  } else {
    for (let j = 0; j < 16; j++) setB(dst, j, 0);
  }
  let mBits = 0;
  if (maxMin > 0) {
    const iscale: f32 = <f32>15 / maxMin;
    for (let j = 0; j < 16; j++) orB(dst, j, nearestInt(iscale * f(MINS, j)) << 4);
    mBits = toHalf(maxMin / 15);
  }
  putHalf(dst, 80, dBits);
  putHalf(dst, 82, mBits);
  const dAll = fromHalf(dBits);
  const mAll = fromHalf(mBits);
  for (let j = 0; j < 16; j++) {
    const d = dAll * <f32>(u8at(dst, j) & 0xf);
    if (d == 0) continue;
    const dm = mAll * <f32>(u8at(dst, j) >> 4);
    for (let ii = 0; ii < 16; ii++) setB(L, 16 * j + ii, clamp(nearestInt((f(x, 16 * j + ii) + dm) / d), 0, 3));
  }
  pack2(dst + 16);
}

function q3K(x: usize, dst: usize): void {
  // layout: hmask[32] qs[64] scales[12] d
  let maxScale: f32 = 0;
  let amax: f32 = 0;
  for (let j = 0; j < 16; j++) {
    const scale = makeQ3(x + <usize>(64 * j), 16 * j);
    setF(SCALES, j, scale);
    if (Mathf.abs(scale) > amax) {
      amax = Mathf.abs(scale);
      maxScale = scale;
    }
  }
  const s = dst + 96;
  memory.fill(s, 0, 12);
  let dBits = 0;
  if (maxScale != 0) {
    const iscale: f32 = <f32>-32 / maxScale;
    for (let j = 0; j < 16; j++) {
      let l = <i32><i8>nearestInt(iscale * f(SCALES, j));
      l = clamp(l, -32, 31) + 32;
      if (j < 8) setB(s, j, l & 0xf);
      else orB(s, j - 8, (l & 0xf) << 4);
      l >>= 4;
      orB(s, (j % 4) + 8, l << (2 * (j >> 2)));
    }
    dBits = toHalf(<f32>1 / iscale);
  }
  putHalf(dst, 108, dBits);
  const dAll = fromHalf(dBits);
  for (let j = 0; j < 16; j++) {
    let sc = j < 8 ? u8at(s, j) & 0xf : u8at(s, j - 8) >> 4;
    sc = (sc | (((u8at(s, 8 + (j % 4)) >> (2 * (j >> 2))) & 3) << 4)) - 32;
    const d = dAll * <f32>sc;
    if (d == 0) continue;
    for (let ii = 0; ii < 16; ii++) setB(L, 16 * j + ii, clamp(nearestInt(f(x, 16 * j + ii) / d), -4, 3) + 4);
  }
  memory.fill(dst, 0, 32);
  let m = 0;
  let hm = 1;
  for (let j = 0; j < 256; j++) {
    if (u8at(L, j) > 3) {
      orB(dst, m, hm);
      setB(L, j, u8at(L, j) - 4);
    }
    if (++m == 32) {
      m = 0;
      hm <<= 1;
    }
  }
  pack2(dst + 32);
}

function q4K(x: usize, dst: usize): void {
  // layout: d dmin scales[12] qs[128]
  subBlocks(x, dst, 15, -1, 20);
  for (let j = 0, q = 16; j < 256; j += 64, q += 32) {
    for (let l = 0; l < 32; l++) setB(dst, q + l, u8at(L, j + l) | (u8at(L, j + l + 32) << 4));
  }
}

function q5K(x: usize, dst: usize): void {
  // layout: d dmin scales[12] qh[32] qs[128]
  subBlocks(x, dst, 31, -0.5, 15);
  const qh = dst + 16;
  memory.fill(qh, 0, 32);
  let m1 = 1;
  let m2 = 2;
  for (let n = 0, ql = 48; n < 256; n += 64, ql += 32) {
    for (let j = 0; j < 32; j++) {
      let l1 = u8at(L, n + j);
      if (l1 > 15) {
        l1 -= 16;
        orB(qh, j, m1);
      }
      let l2 = u8at(L, n + j + 32);
      if (l2 > 15) {
        l2 -= 16;
        orB(qh, j, m2);
      }
      setB(dst, ql + j, l1 | (l2 << 4));
    }
    m1 <<= 2;
    m2 <<= 2;
  }
}

function q6K(x: usize, dst: usize): void {
  // layout: ql[128] qh[64] scales[16] (int8) d
  let maxScale: f32 = 0;
  let maxAbsScale: f32 = 0;
  for (let ib = 0; ib < 16; ib++) {
    const scale = makeQx(x + <usize>(64 * ib), 16 * ib);
    setF(SCALES, ib, scale);
    const abs = Mathf.abs(scale);
    if (abs > maxAbsScale) {
      maxAbsScale = abs;
      maxScale = scale;
    }
  }
  if (maxAbsScale < EPS) {
    memory.fill(dst, 0, 210);
    return;
  }
  const iscale: f32 = <f32>-128 / maxScale;
  const dBits = toHalf(<f32>1 / iscale);
  putHalf(dst, 208, dBits);
  const dAll = fromHalf(dBits);
  for (let ib = 0; ib < 16; ib++) {
    const sc = min<i32>(127, nearestInt(iscale * f(SCALES, ib)));
    setB(dst, 192 + ib, sc);
    const d = dAll * <f32><i8>sc;
    if (d == 0) continue;
    for (let ii = 0; ii < 16; ii++) setB(L, 16 * ib + ii, clamp(nearestInt(f(x, 16 * ib + ii) / d), -32, 31) + 32);
  }
  for (let j = 0, ql = 0, qh = 128; j < 256; j += 128, ql += 64, qh += 32) {
    for (let l = 0; l < 32; l++) {
      const a = u8at(L, j + l);
      const c = u8at(L, j + l + 32);
      const e = u8at(L, j + l + 64);
      const g = u8at(L, j + l + 96);
      setB(dst, ql + l, (a & 0xf) | ((e & 0xf) << 4));
      setB(dst, ql + l + 32, (c & 0xf) | ((g & 0xf) << 4));
      setB(dst, qh + l, (a >> 4) | ((c >> 4) << 2) | ((e >> 4) << 4) | ((g >> 4) << 6));
    }
  }
}

/** GGML types 10..14 (Q2_K..Q6_K), `nblocks` ≤ CAPACITY super-blocks from IN to OUT. */
export function quantize(type: i32, nblocks: i32): void {
  const size = type == 10 ? 84 : type == 11 ? 110 : type == 12 ? 144 : type == 13 ? 176 : 210;
  for (let b = 0; b < nblocks; b++) {
    const x = IN + <usize>(1024 * b);
    const dst = OUT + <usize>(size * b);
    if (type == 10) q2K(x, dst);
    else if (type == 11) q3K(x, dst);
    else if (type == 12) q4K(x, dst);
    else if (type == 13) q5K(x, dst);
    else q6K(x, dst);
  }
}
