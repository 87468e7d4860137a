// Plain data, safe to import from client components (no Node modules).

/**
 * One line per file type for the convert / quantize forms: the size of a 7B model (Llama 2 7B, 6.7 B parameters,
 * as published GGUFs of it measure) and the perplexity cost llama-quantize's own table gives (tools/quantize:
 * Llama 3 8B, F16/BF16 Mistral 7B).
 */
export const TYPE_NOTES: Record<string, string> = {
  f32: "≈27 GB for 7B · lossless, only for further processing",
  f16: "≈13.5 GB for 7B · lossless in practice (+0.002 perplexity)",
  bf16: "≈13.5 GB for 7B · lossless in practice, keeps BF16 checkpoints exact",
  q8_0: "≈7.2 GB for 7B · near lossless (+0.003 perplexity)",
  q6_k: "≈5.5 GB for 7B · near lossless (+0.022 perplexity)",
  q5_k_m: "≈4.8 GB for 7B · very good (+0.057 perplexity)",
  q5_k_s: "≈4.7 GB for 7B · very good (+0.105 perplexity)",
  q4_k_m: "≈4.1 GB for 7B · recommended: good quality for its size (+0.175 perplexity)",
  q4_k_s: "≈3.9 GB for 7B · good (+0.269 perplexity)",
  q4_0: "≈3.8 GB for 7B · legacy 4-bit, worse than Q4_K_M at the same size (+0.469 perplexity)",
  q3_k_m: "≈3.3 GB for 7B · noticeably worse (+0.657 perplexity)",
  q2_k: "≈2.8 GB for 7B · smallest, much worse (+3.52 perplexity)",
};

/** What the forms pre-select: Q4_K_M, what people run; Q8_0 where K-quants are not offered. */
export function defaultType(types: readonly string[]): string {
  return ["q4_k_m", "q8_0"].find((t) => types.includes(t)) ?? types[0] ?? "";
}

/** `q4_k_m` → "Q4_K_M — ≈4.1 GB for 7B · recommended: …", an option's text. */
export function typeLabel(type: string): string {
  const note = TYPE_NOTES[type];
  return note ? `${type.toUpperCase()} — ${note}` : type.toUpperCase();
}
