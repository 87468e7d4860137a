"use client";

/** Sampling parameters as the forms edit them (strings), turned into the API's params object by `toParams`. */
export type SamplingForm = { temperature: string; topP: string; topK: string; repeatPenalty: string; maxTokens: string; seed: string; stop: string };

export const DEFAULT_SAMPLING: SamplingForm = { temperature: "0", topP: "1", topK: "40", repeatPenalty: "1", maxTokens: "64", seed: "", stop: "" };

export function toParams(f: SamplingForm): Record<string, unknown> {
  return {
    temperature: Number(f.temperature),
    topP: Number(f.topP),
    topK: Number(f.topK),
    repeatPenalty: Number(f.repeatPenalty),
    maxTokens: Number(f.maxTokens),
    ...(f.seed.trim() ? { seed: Number(f.seed) } : {}),
    stop: f.stop.split("|").filter(Boolean),
  };
}

const FIELDS: [keyof SamplingForm, string, string][] = [
  ["temperature", "temperature", "0 = greedy"],
  ["topP", "top p", ""],
  ["topK", "top k", ""],
  ["repeatPenalty", "repeat penalty", "1 = off"],
  ["maxTokens", "max tokens", ""],
  ["seed", "seed", "random when empty"],
  ["stop", "stop strings", "separated by |"],
];

export function SamplingFields({ value, onChange }: { value: SamplingForm; onChange: (v: SamplingForm) => void }) {
  return (
    <div className="row">
      {FIELDS.map(([key, label, hint]) => (
        <label key={key} className="stack" style={{ gap: 2, width: key === "stop" ? 180 : 110 }}>
          <span className="muted">{label}</span>
          <input name={key} aria-label={label} title={hint} value={value[key]} onChange={(e) => onChange({ ...value, [key]: e.target.value })} />
        </label>
      ))}
    </div>
  );
}
