/** gguf-py's `model_weight_count_rounded_notation`: 4,196,672 → "4.2M", 6,738,415,616 → "6.7B". */
export function sizeLabel(params: { parameterCount: number }): string {
  const n = params.parameterCount;
  const [scaled, suffix] = n > 1e12 ? [n * 1e-12, "T"] : n > 1e9 ? [n * 1e-9, "B"] : n > 1e6 ? [n * 1e-6, "M"] : [n * 1e-3, "K"];
  const digits = String(Math.round(scaled)).replace(/^0+/, "").length;
  return `${scaled.toFixed(Math.max(2 - digits, 0))}${suffix}`;
}
