// AssemblyScript port of lib/convert/quants/k-quants.ts (llama.cpp's quantize_row_q{2..6}_K_ref), compiled to
// WebAssembly by scripts/build-wasm.ts. WebAssembly's f32 arithmetic is IEEE single precision and never fused, as the
// baseline x86-64 ggml-base build computes it, so the C's float operations in the C's order give the C's bytes
// (lib/convert/quants/k-quants-wasm.spec.ts holds them to the JS kernels on random and edge-case rows). The searches
// (make_qkx2_quants, make_qx_quants, make_q3_quants) run four sub-blocks at once, one per f32x4 lane: every lane does
// its sub-block's whole search in the C's order, without the JS kernels' shortcuts, which lanes could not share.
// Plain .as, not .ts: the app's TypeScript and ESLint do not know AssemblyScript's types.
//
// quantize(type, nblocks): the float32 super-blocks at IN → the blocks of GGML `type` at OUT; widen(nblocks) fills IN
// from the halves at IN16 first for F16 input.

/** Super-blocks one call takes (the caller splits longer inputs). */
export const CAPACITY: i32 = 64;
export const IN: usize = heap.alloc(CAPACITY * 256 * 4);
export const OUT: usize = heap.alloc(CAPACITY * 210);
export const IN16: usize = heap.alloc(CAPACITY * 256 * 2);

const L: usize = memory.data(256, 16); // the super-block's levels, offset to be unsigned
const SCALES: usize = memory.data(64, 16);
const MINS: usize = memory.data(64, 16);
const EPS: f32 = 1e-15; // GROUP_MAX_EPS
const TENTH: f32 = 0.1;

@inline function f(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}
@inline function u8at(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + <usize>i);
}
@inline function setB(p: usize, i: i32, v: i32): void {
  store<u8>(p + <usize>i, <u8>v);
}
@inline function orB(p: usize, i: i32, v: i32): void {
  store<u8>(p + <usize>i, load<u8>(p + <usize>i) | <u8>v);
}

/** ggml's nearest_int: the low bits of fval + 1.5·2^23 in float32. */
@inline function nearestInt(fval: f32): i32 {
  return (reinterpret<i32>(fval + <f32>12582912) & 0x007fffff) - 0x00400000;
}
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

@inline function putHalf(dst: usize, at: i32, h: i32): void {
  store<u16>(dst + <usize>at, <u16>h);
}

// Four sub-blocks at once: XT[i] holds element i of each, WT[i] its weight. Sums over i stay sequential per lane; a
// lane whose data takes an early return in the C (an empty or flat sub-block) has that result selected at the end.
const XT: usize = memory.data(32 * 16, 16);
const WT: usize = memory.data(32 * 16, 16);
const WXT: usize = memory.data(32 * 16, 16);
const Q3S: usize = memory.data(96, 16); // makeQ3x8's sums and masks
const LT: usize = memory.data(32 * 16, 16); // the best levels so far, as floats
const AUXT: usize = memory.data(32 * 16, 16);

@inline function vAt(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 4));
}
@inline function vSet(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 4), v);
}
/** nearest_int on four lanes. */
@inline function nearest4(v: v128): v128 {
  return i32x4.sub(v128.and(f32x4.add(v, f32x4.splat(12582912)), i32x4.splat(0x007fffff)), i32x4.splat(0x00400000));
}
/** clamp(nearest_int(v), lo, hi) as floats. */
@inline function level4(v: v128, lo: i32, hi: i32): v128 {
  return f32x4.convert_i32x4_s(i32x4.min_s(i32x4.max_s(nearest4(v), i32x4.splat(lo)), i32x4.splat(hi)));
}
/** xt[i] = x[stride·k + i] for the four sub-blocks k from x, i < n (4×4 transposes). */
@inline function transpose(xt: usize, x: usize, n: i32, stride: i32): void {
  for (let i = 0; i < n; i += 4) {
    const r0 = v128.load(x + (<usize>i << 2));
    const r1 = v128.load(x + (<usize>(stride + i) << 2));
    const r2 = v128.load(x + (<usize>(2 * stride + i) << 2));
    const r3 = v128.load(x + (<usize>(3 * stride + i) << 2));
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    vSet(xt, i, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
    vSet(xt, i + 1, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
    vSet(xt, i + 2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
    vSet(xt, i + 3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
  }
}
/** L[lo + stride·k + i] = lane k's level (a float in lt) plus `offset`. */
@inline function untranspose(lt: usize, lo: i32, n: i32, stride: i32, offset: i32): void {
  const off = i32x4.splat(offset);
  for (let i = 0; i < n; i += 4) {
    const a = i16x8.narrow_i32x4_s(i32x4.add(i32x4.trunc_sat_f32x4_s(vAt(lt, i)), off), i32x4.add(i32x4.trunc_sat_f32x4_s(vAt(lt, i + 1)), off));
    const b = i16x8.narrow_i32x4_s(i32x4.add(i32x4.trunc_sat_f32x4_s(vAt(lt, i + 2)), off), i32x4.add(i32x4.trunc_sat_f32x4_s(vAt(lt, i + 3)), off));
    // bytes 4·di + k → 4·k + di: each sub-block's four levels together
    const bytes = v128.shuffle<u8>(i8x16.narrow_i16x8_u(a, b), a, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    const at = L + <usize>(lo + i);
    v128.store32_lane(at, bytes, 0);
    v128.store32_lane(at + <usize>stride, bytes, 1);
    v128.store32_lane(at + <usize>(2 * stride), bytes, 2);
    v128.store32_lane(at + <usize>(3 * stride), bytes, 3);
  }
}

/** make_qkx2_quants over the four sub-blocks in XT/WT (no shortcuts: every step, every term): levels in LT, the
 * scales at `scales`, the mins (-min) at `mins`. */
@inline function makeQkx2x4(n: i32, nmax: i32, rmin: f32, nstep: i32, useMad: bool, scales: usize, mins: usize): void {
  const zero = f32x4.splat(0);
  const x0 = vAt(XT, 0);
  let min = x0;
  let max = x0;
  let sumW = vAt(WT, 0);
  let sumX = f32x4.mul(sumW, x0);
  for (let i = 1; i < n; i++) {
    const xi = vAt(XT, i);
    min = v128.bitselect(xi, min, f32x4.lt(xi, min));
    max = v128.bitselect(xi, max, f32x4.gt(xi, max));
    const wi = vAt(WT, i);
    sumW = f32x4.add(sumW, wi);
    sumX = f32x4.add(sumX, f32x4.mul(wi, xi));
  }
  min = v128.bitselect(zero, min, f32x4.gt(min, zero));
  const flat = f32x4.eq(max, min); // C returns 0 with L = 0 there
  const min0 = min;
  let iscale = f32x4.div(f32x4.splat(<f32>nmax), f32x4.sub(max, min));
  let scale = f32x4.div(f32x4.splat(1), iscale);
  let best = zero;
  for (let i = 0; i < n; i++) {
    const xi = vAt(XT, i);
    const l = level4(f32x4.mul(iscale, f32x4.sub(xi, min)), 0, nmax);
    vSet(LT, i, l);
    let diff = f32x4.sub(f32x4.add(f32x4.mul(scale, l), min), xi);
    diff = useMad ? f32x4.abs(diff) : f32x4.mul(diff, diff);
    best = f32x4.add(best, f32x4.mul(vAt(WT, i), diff));
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = f32x4.div(f32x4.splat(rmin + TENTH * <f32>is + <f32>nmax), f32x4.sub(max, min));
    let sumL = zero;
    let sumL2 = zero;
    let sumXL = zero;
    for (let i = 0; i < n; i++) {
      const xi = vAt(XT, i);
      const l = level4(f32x4.mul(iscale, f32x4.sub(xi, min)), 0, nmax);
      vSet(AUXT, i, l);
      const wl = f32x4.mul(vAt(WT, i), l);
      sumL = f32x4.add(sumL, wl);
      sumL2 = f32x4.add(sumL2, f32x4.mul(wl, l));
      sumXL = f32x4.add(sumXL, f32x4.mul(wl, xi));
    }
    const D = f32x4.sub(f32x4.mul(sumW, sumL2), f32x4.mul(sumL, sumL));
    const positive = f32x4.gt(D, zero);
    if (!v128.any_true(positive)) continue;
    let thisScale = f32x4.div(f32x4.sub(f32x4.mul(sumW, sumXL), f32x4.mul(sumX, sumL)), D);
    let thisMin = f32x4.div(f32x4.sub(f32x4.mul(sumL2, sumX), f32x4.mul(sumL, sumXL)), D);
    const above = f32x4.gt(thisMin, zero);
    thisMin = v128.bitselect(zero, thisMin, above);
    thisScale = v128.bitselect(f32x4.div(sumXL, sumL2), thisScale, above);
    let err = zero;
    for (let i = 0; i < n; i++) {
      let diff = f32x4.sub(f32x4.add(f32x4.mul(thisScale, vAt(AUXT, i)), thisMin), vAt(XT, i));
      diff = useMad ? f32x4.abs(diff) : f32x4.mul(diff, diff);
      err = f32x4.add(err, f32x4.mul(vAt(WT, i), diff));
    }
    const better = v128.and(positive, f32x4.lt(err, best));
    if (!v128.any_true(better)) continue;
    for (let i = 0; i < n; i++) vSet(LT, i, v128.bitselect(vAt(AUXT, i), vAt(LT, i), better));
    best = v128.bitselect(err, best, better);
    scale = v128.bitselect(thisScale, scale, better);
    min = v128.bitselect(thisMin, min, better);
  }
  if (v128.any_true(flat)) {
    for (let i = 0; i < n; i++) vSet(LT, i, v128.bitselect(zero, vAt(LT, i), flat));
    scale = v128.bitselect(zero, scale, flat);
    min = v128.bitselect(min0, min, flat);
  }
  v128.store(scales, scale);
  v128.store(mins, f32x4.neg(min));
}

/** make_qx_quants(16, 32, x, L, 1, NULL) over the four sub-blocks in XT: levels + 32 in LT, the scales at `scales`. */
@inline function makeQxx4(scales: usize): void {
  const nmax = 32;
  const zero = f32x4.splat(0);
  let max = zero;
  let amax = zero;
  for (let i = 0; i < 16; i++) {
    const xi = vAt(XT, i);
    const ax = f32x4.abs(xi);
    const bigger = f32x4.gt(ax, amax);
    amax = v128.bitselect(ax, amax, bigger);
    max = v128.bitselect(xi, max, bigger);
    const w = f32x4.mul(xi, xi);
    vSet(WT, i, w);
    vSet(WXT, i, f32x4.mul(w, xi));
  }
  const empty = f32x4.lt(amax, f32x4.splat(EPS));
  let iscale = f32x4.div(f32x4.splat(<f32>-nmax), max);
  let sumlx = zero;
  let suml2 = zero;
  for (let i = 0; i < 16; i++) {
    const l = level4(f32x4.mul(iscale, vAt(XT, i)), -nmax, nmax - 1);
    vSet(LT, i, l);
    sumlx = f32x4.add(sumlx, f32x4.mul(vAt(WXT, i), l));
    suml2 = f32x4.add(suml2, f32x4.mul(f32x4.mul(vAt(WT, i), l), l));
  }
  // `suml2 ? … : 0` as k-quants.ts reads it (NaN is false there)
  let scale = v128.bitselect(f32x4.div(sumlx, suml2), zero, v128.and(f32x4.ne(suml2, zero), f32x4.eq(suml2, suml2)));
  let best = f32x4.mul(scale, sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is == 0) continue;
    iscale = f32x4.div(f32x4.splat(-(<f32>nmax + TENTH * <f32>is)), max);
    sumlx = zero;
    suml2 = zero;
    for (let i = 0; i < 16; i++) {
      const l = level4(f32x4.mul(iscale, vAt(XT, i)), -nmax, nmax - 1);
      vSet(AUXT, i, l);
      sumlx = f32x4.add(sumlx, f32x4.mul(vAt(WXT, i), l));
      suml2 = f32x4.add(suml2, f32x4.mul(f32x4.mul(vAt(WT, i), l), l));
    }
    const better = v128.and(f32x4.gt(suml2, zero), f32x4.gt(f32x4.mul(sumlx, sumlx), f32x4.mul(best, suml2)));
    if (!v128.any_true(better)) continue;
    for (let i = 0; i < 16; i++) vSet(LT, i, v128.bitselect(vAt(AUXT, i), vAt(LT, i), better));
    const s = f32x4.div(sumlx, suml2);
    scale = v128.bitselect(s, scale, better);
    best = v128.bitselect(f32x4.mul(s, sumlx), best, better);
  }
  // Empty sub-blocks: levels 0 (-32 before the offset), scale 0.
  if (v128.any_true(empty)) {
    for (let i = 0; i < 16; i++) vSet(LT, i, v128.bitselect(f32x4.splat(<f32>-nmax), vAt(LT, i), empty));
    scale = v128.bitselect(zero, scale, empty);
  }
  v128.store(scales, scale);
}

/** make_q3_quants' first pass over the four sub-blocks at XT + o: weights, levels in LT + o, sumlx, suml2 and the
 * empty mask at `state`. */
@inline function q3First(o: usize, state: usize): void {
  const nmax = 4;
  const zero = f32x4.splat(0);
  let max = zero;
  let amax = zero;
  for (let i = 0; i < 16; i++) {
    const xi = vAt(XT + o, i);
    const ax = f32x4.abs(xi);
    const bigger = f32x4.gt(ax, amax);
    amax = v128.bitselect(ax, amax, bigger);
    max = v128.bitselect(xi, max, bigger);
    const w = f32x4.mul(xi, xi);
    vSet(WT + o, i, w);
    vSet(WXT + o, i, f32x4.mul(w, xi));
  }
  const iscale = f32x4.div(f32x4.splat(<f32>-nmax), max);
  let sumlx = zero;
  let suml2 = zero;
  for (let i = 0; i < 16; i++) {
    const l = level4(f32x4.mul(iscale, vAt(XT + o, i)), -nmax, nmax - 1);
    vSet(LT + o, i, l);
    sumlx = f32x4.add(sumlx, f32x4.mul(vAt(WXT + o, i), l));
    suml2 = f32x4.add(suml2, f32x4.mul(f32x4.mul(vAt(WT + o, i), l), l));
  }
  vSet(state, 0, sumlx);
  vSet(state, 1, suml2);
  vSet(state, 2, f32x4.lt(amax, f32x4.splat(EPS)));
}

/**
 * make_q3_quants(16, 4, x, L, true) over eight sub-blocks, the four at XT and the four at XT + 256 (levels -4..3 in
 * LT and LT + 256, the scales at `scales`): two independent chains of sums interleaved, since each pass is one long
 * dependency chain per lane.
 */
@inline function makeQ3x8(scales: usize): void {
  const nmax = 4;
  const zero = f32x4.splat(0);
  q3First(0, Q3S);
  q3First(256, Q3S + 48);
  // A lane whose pass changed nothing would change nothing again: its state is the same, so running on while
  // another lane still changes leaves it as the C's early exit does.
  let sumlxA = vAt(Q3S, 0);
  let suml2A = vAt(Q3S, 1);
  let sumlxB = vAt(Q3S + 48, 0);
  let suml2B = vAt(Q3S + 48, 1);
  for (let itry = 0; itry < 5; itry++) {
    let changed = zero;
    for (let i = 0; i < 16; i++) {
      // the same element of each chain: the first four sub-blocks' (A), then the second four's (B)
      {
        const xi = vAt(XT + 0, i);
        const w = vAt(WT + 0, i);
        const wx = vAt(WXT + 0, i);
        const li = vAt(LT + 0, i);
        let slx = f32x4.sub(sumlxA, f32x4.mul(wx, li));
        const positive = f32x4.gt(slx, zero);
        let sl2 = f32x4.sub(suml2A, f32x4.mul(f32x4.mul(w, li), li));
        const newL = level4(f32x4.div(f32x4.mul(xi, sl2), slx), -nmax, nmax - 1);
        slx = f32x4.add(slx, f32x4.mul(wx, newL));
        sl2 = f32x4.add(sl2, f32x4.mul(f32x4.mul(w, newL), newL));
        const update = v128.and(
          v128.and(positive, f32x4.ne(newL, li)),
          v128.and(f32x4.gt(sl2, zero), f32x4.gt(f32x4.mul(f32x4.mul(slx, slx), suml2A), f32x4.mul(f32x4.mul(sumlxA, sumlxA), sl2))),
        );
        vSet(LT + 0, i, v128.bitselect(newL, li, update));
        sumlxA = v128.bitselect(slx, sumlxA, update);
        suml2A = v128.bitselect(sl2, suml2A, update);
        changed = v128.or(changed, update);
      }
      {
        const xi = vAt(XT + 256, i);
        const w = vAt(WT + 256, i);
        const wx = vAt(WXT + 256, i);
        const li = vAt(LT + 256, i);
        let slx = f32x4.sub(sumlxB, f32x4.mul(wx, li));
        const positive = f32x4.gt(slx, zero);
        let sl2 = f32x4.sub(suml2B, f32x4.mul(f32x4.mul(w, li), li));
        const newL = level4(f32x4.div(f32x4.mul(xi, sl2), slx), -nmax, nmax - 1);
        slx = f32x4.add(slx, f32x4.mul(wx, newL));
        sl2 = f32x4.add(sl2, f32x4.mul(f32x4.mul(w, newL), newL));
        const update = v128.and(
          v128.and(positive, f32x4.ne(newL, li)),
          v128.and(f32x4.gt(sl2, zero), f32x4.gt(f32x4.mul(f32x4.mul(slx, slx), suml2B), f32x4.mul(f32x4.mul(sumlxB, sumlxB), sl2))),
        );
        vSet(LT + 256, i, v128.bitselect(newL, li, update));
        sumlxB = v128.bitselect(slx, sumlxB, update);
        suml2B = v128.bitselect(sl2, suml2B, update);
        changed = v128.or(changed, update);
      }
    }
    if (!v128.any_true(changed)) break;
  }
  vSet(Q3S, 0, sumlxA);
  vSet(Q3S, 1, suml2A);
  vSet(Q3S + 48, 0, sumlxB);
  vSet(Q3S + 48, 1, suml2B);
  for (let h = 0; h < 2; h++) {
    const o = <usize>(256 * h);
    const state = Q3S + <usize>(48 * h);
    const sumlx = vAt(state, 0);
    const suml2 = vAt(state, 1);
    const empty = vAt(state, 2);
    let scale = v128.bitselect(f32x4.div(sumlx, suml2), zero, f32x4.gt(suml2, zero));
    // Empty sub-blocks: levels 0 (-4 before the offset), scale 0.
    if (v128.any_true(empty)) {
      for (let i = 0; i < 16; i++) vSet(LT + o, i, v128.bitselect(f32x4.splat(<f32>-nmax), vAt(LT + o, i), empty));
      scale = v128.bitselect(zero, scale, empty);
    }
    v128.store(scales + <usize>(16 * h), scale);
  }
}

/** L[at..at+n) = clamp(nearest_int((x[at..] + dm) / d), lo, hi) + offset, four at a time (n a multiple of 4). */
@inline function requant4(x: usize, at: i32, n: i32, dm: f32, d: f32, withMin: bool, lo: i32, hi: i32, offset: i32): void {
  const vd = f32x4.splat(d);
  const vdm = f32x4.splat(dm);
  for (let i = 0; i < n; i += 4) {
    let v = v128.load(x + (<usize>(at + i) << 2));
    if (withMin) v = f32x4.add(v, vdm);
    const l = i32x4.add(i32x4.min_s(i32x4.max_s(nearest4(f32x4.div(v, vd)), i32x4.splat(lo)), i32x4.splat(hi)), i32x4.splat(offset));
    const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(l, l), i16x8.narrow_i32x4_s(l, l));
    v128.store32_lane(L + <usize>(at + i), bytes, 0);
  }
}

/** Q4_K/Q5_K: the 8 sub-blocks, the 12 scale bytes, d and dmin at dst, and the levels re-quantized into L. */
@inline function subBlocks(x: usize, dst: usize, nmax: i32, rmin: f32, nstep: i32): void {
  let maxScale: f32 = 0;
  let maxMin: f32 = 0;
  for (let g = 0; g < 2; g++) {
    transpose(XT, x + <usize>(512 * g), 32, 32);
    let sumX2 = f32x4.splat(0);
    for (let l = 0; l < 32; l++) sumX2 = f32x4.add(sumX2, f32x4.mul(vAt(XT, l), vAt(XT, l)));
    const avX = f32x4.sqrt(f32x4.div(sumX2, f32x4.splat(32)));
    for (let l = 0; l < 32; l++) vSet(WT, l, f32x4.add(avX, f32x4.abs(vAt(XT, l))));
    makeQkx2x4(32, nmax, rmin, nstep, false, SCALES + <usize>(16 * g), MINS + <usize>(16 * g));
    untranspose(LT, 128 * g, 32, 32, 0);
  }
  for (let j = 0; j < 8; j++) {
    const scale = f(SCALES, j);
    const m = f(MINS, j);
    if (scale > maxScale) maxScale = scale;
    if (m > maxMin) maxMin = m;
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
    requant4(x, 32 * j, 32, dm, d, true, 0, nmax, 0);
  }
}

/** Q2_K/Q3_K's bit planes: q[j/4 + l] = the 2-bit L[j + l + 32·k] for k = 0..3, j = 0, 128. */
@inline function pack2(q: usize): void {
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l += 16) {
      const p = L + <usize>(j + l);
      const v = v128.or(
        v128.or(v128.load(p), i8x16.shl(v128.load(p + 32), 2)),
        v128.or(i8x16.shl(v128.load(p + 64), 4), i8x16.shl(v128.load(p + 96), 6)),
      );
      v128.store(q + <usize>(j / 4 + l), v);
    }
  }
}

function q2K(x: usize, dst: usize): void {
  let maxScale: f32 = 0;
  let maxMin: f32 = 0;
  for (let g = 0; g < 4; g++) {
    transpose(XT, x + <usize>(256 * g), 16, 16);
    for (let l = 0; l < 16; l++) vSet(WT, l, f32x4.abs(vAt(XT, l)));
    makeQkx2x4(16, 3, -0.5, 15, true, SCALES + <usize>(16 * g), MINS + <usize>(16 * g));
    untranspose(LT, 64 * g, 16, 16, 0);
  }
  for (let j = 0; j < 16; j++) {
    const scale = f(SCALES, j);
    const m = f(MINS, j);
    if (scale > maxScale) maxScale = scale;
    if (m > maxMin) maxMin = m;
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
    requant4(x, 16 * j, 16, dm, d, true, 0, 3, 0);
  }
  pack2(dst + 16);
}

function q3K(x: usize, dst: usize): void {
  // layout: hmask[32] qs[64] scales[12] d
  let maxScale: f32 = 0;
  let amax: f32 = 0;
  for (let g = 0; g < 4; g += 2) {
    transpose(XT, x + <usize>(256 * g), 16, 16);
    transpose(XT + 256, x + <usize>(256 * g + 256), 16, 16);
    makeQ3x8(SCALES + <usize>(16 * g));
    untranspose(LT, 64 * g, 16, 16, 4);
    untranspose(LT + 256, 64 * g + 64, 16, 16, 4);
  }
  for (let j = 0; j < 16; j++) {
    const scale = f(SCALES, j);
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
    requant4(x, 16 * j, 16, 0, d, false, -4, 3, 4);
  }
  // hmask: bit j of byte m is L[32·j + m] > 3, which then loses its 4
  let h0 = i8x16.splat(0);
  let h1 = i8x16.splat(0);
  for (let j = 0; j < 8; j++) {
    const p = L + <usize>(32 * j);
    const a = v128.load(p);
    const b = v128.load(p + 16);
    const ha = i8x16.gt_u(a, i8x16.splat(3));
    const hb = i8x16.gt_u(b, i8x16.splat(3));
    const bit: i32 = 1 << j;
    h0 = v128.or(h0, v128.and(ha, i8x16.splat(<i8>bit)));
    h1 = v128.or(h1, v128.and(hb, i8x16.splat(<i8>bit)));
    v128.store(p, i8x16.sub(a, v128.and(ha, i8x16.splat(4))));
    v128.store(p + 16, i8x16.sub(b, v128.and(hb, i8x16.splat(4))));
  }
  v128.store(dst, h0);
  v128.store(dst + 16, h1);
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
  for (let g = 0; g < 4; g++) {
    transpose(XT, x + <usize>(256 * g), 16, 16);
    makeQxx4(SCALES + <usize>(16 * g));
    untranspose(LT, 64 * g, 16, 16, 32);
  }
  for (let ib = 0; ib < 16; ib++) {
    const scale = f(SCALES, ib);
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
    requant4(x, 16 * ib, 16, 0, d, false, -32, 31, 32);
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

/**
 * The `nblocks` super-blocks of halves at IN16 → float32 at IN, exactly as float-bits.ts' table: finite halves shifted
 * into place and rebiased by a multiply by 2^112 (exact, subnormals included), ±Inf kept, NaN as the canonical NaN.
 */
export function widen(nblocks: i32): void {
  const magic = f32x4.splat(reinterpret<f32>(0x77800000)); // 2^112
  for (let i = 0; i < nblocks * 256; i += 8) {
    const h = v128.load(IN16 + (<usize>i << 1));
    for (let half = 0; half < 2; half++) {
      const u = half == 0 ? i32x4.extend_low_i16x8_u(h) : i32x4.extend_high_i16x8_u(h);
      const sign = i32x4.shl(v128.and(u, i32x4.splat(0x8000)), 16);
      const abs = v128.and(u, i32x4.splat(0x7fff));
      const finite = f32x4.mul(i32x4.shl(abs, 13), magic);
      const special = v128.bitselect(i32x4.splat(0x7fc00000), v128.or(sign, i32x4.splat(0x7f800000)), i32x4.gt_s(abs, i32x4.splat(0x7c00)));
      const v = v128.bitselect(special, v128.or(finite, sign), i32x4.ge_s(abs, i32x4.splat(0x7c00)));
      v128.store(IN + (<usize>(i + 4 * half) << 2), v);
    }
  }
}
