import type { Llama3RopeScaling } from "./read-llama-hparams";

const f = Math.fround;

/**
 * Llama 3.1's per-frequency rope factors, as llama.cpp's converter computes them for `rope_freqs.weight`
 * (conversion/llama.py `generate_extra_tensors`): in float32 throughout, as PyTorch evaluates that code, so the
 * tensor is bit-identical. One factor per rotary pair: 1 for short wavelengths, `factor` for long ones, and a
 * smooth blend between.
 */
export function llama3RopeFactors(params: { headDim: number; base: number; scaling: Llama3RopeScaling }): Float32Array {
  const { headDim, base, scaling } = params;
  const { factor, lowFreqFactor, highFreqFactor, originalContextLength } = scaling;
  const lowFreqWavelen = originalContextLength / lowFreqFactor;
  const highFreqWavelen = originalContextLength / highFreqFactor;
  const twoPi = f(2 * Math.PI);
  const out = new Float32Array(headDim / 2);
  for (let k = 0; k < out.length; k++) {
    const freq = f(1 / f(Math.pow(f(base), f((2 * k) / headDim))));
    const wavelen = f(twoPi / freq);
    if (wavelen < highFreqWavelen) out[k] = 1;
    else if (wavelen > lowFreqWavelen) out[k] = factor;
    else {
      const smooth = f(f(f(originalContextLength / wavelen) - lowFreqFactor) / f(highFreqFactor - lowFreqFactor));
      out[k] = f(1 / f(f(f(1 - smooth) / factor) + smooth));
    }
  }
  return out;
}
