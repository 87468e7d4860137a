import { VerifyError } from "./errors";

export interface ChecklistEntry {
  md5: string;
  path: string;
}

/**
 * Parses `md5sum` output (`<32 hex>  <path>`, or ` *<path>` for binary mode). Strict on purpose: an HTML or XML
 * error page saved in place of a checklist must fail here, not later as a confusing mismatch.
 */
export function parseChecklist(text: string): ChecklistEntry[] {
  const entries: ChecklistEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const m = /^([0-9a-fA-F]{32}) [ *](.+)$/.exec(line);
    if (!m) throw new VerifyError("bad_checklist", `not an md5 checklist (line ${i + 1}: ${JSON.stringify(line.slice(0, 60))})`);
    entries.push({ md5: (m[1] as string).toLowerCase(), path: (m[2] as string).replace(/^\.\//, "") });
  });
  if (entries.length === 0) throw new VerifyError("bad_checklist", "empty checklist");
  return entries;
}
