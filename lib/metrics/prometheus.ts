/** Minimal Prometheus text exposition (format 0.0.4): families with HELP/TYPE, escaped label values. */
export type Sample = { labels?: Record<string, string>; value: number };
export type Family = { name: string; help: string; type: "gauge" | "counter" | "histogram"; samples: (Sample & { suffix?: string })[] };

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

export function renderPrometheus(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}` : "";
      out.push(`${f.name}${s.suffix ?? ""}${l} ${Number.isFinite(s.value) ? s.value : s.value > 0 ? "+Inf" : "NaN"}`);
    }
  }
  return out.join("\n") + "\n";
}
