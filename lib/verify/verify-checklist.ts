import { safeJoin } from "../download";
import { parseChecklist } from "./parse-checklist";
import { verifyBlob } from "./verify-blob";

export interface ChecklistFileResult {
  path: string;
  ok: boolean;
  expectedMd5: string;
  /** `null` when the file is missing. */
  actualMd5: string | null;
}

/**
 * Verifies every file a checklist names, relative to `dir`. `known` supplies md5s computed while downloading, so
 * those files are not read again; anything else is hashed from disk.
 */
export async function verifyChecklist(params: {
  dir: string;
  checklist: string;
  known?: Record<string, { md5: string }>;
}): Promise<{ ok: boolean; files: ChecklistFileResult[] }> {
  const files: ChecklistFileResult[] = [];
  for (const entry of parseChecklist(params.checklist)) {
    const file = safeJoin(params.dir, entry.path);
    const known = params.known?.[entry.path]?.md5;
    const actualMd5 = known ?? (await verifyBlob({ file, md5: entry.md5 })).actual.md5 ?? null;
    files.push({ path: entry.path, ok: actualMd5 === entry.md5, expectedMd5: entry.md5, actualMd5 });
  }
  return { ok: files.every((f) => f.ok), files };
}
