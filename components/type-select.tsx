import { typeLabel } from "@/lib/convert/quants/type-notes";

/** A file-type picker whose options explain each type in one line (size for 7B, quality). */
export function TypeSelect({ types, value, onChange, label }: { types: readonly string[]; value: string; onChange: (t: string) => void; label: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {types.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}
    </select>
  );
}
