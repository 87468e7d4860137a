/** "6.7 B", "125 M", "42 K": a parameter count as model cards write it. */
export function formatParameters(n: number): string {
  const [div, unit] = n >= 1e9 ? [1e9, "B"] : n >= 1e6 ? [1e6, "M"] : n >= 1e3 ? [1e3, "K"] : [1, ""];
  const v = n / div;
  return `${v >= 100 || div === 1 ? Math.round(v) : v.toFixed(1)}${unit ? ` ${unit}` : ""}`;
}
