import { readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { safeJoin } from "../download";
import { verifyBlob, verifyChecklist } from "../verify";

export type DirectoryCheck = { path: string; ok: boolean; algorithm: "md5" | "sha256"; expected: string; actual: string | null };

async function walk(dir: string, rel = ""): Promise<{ rel: string; kind: "file" | "link" }[]> {
  const out: { rel: string; kind: "file" | "link" }[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else if (e.isSymbolicLink()) out.push({ rel: r, kind: "link" });
    else if (e.isFile()) out.push({ rel: r, kind: "file" });
  }
  return out;
}

/**
 * Verifies a plain folder without a server, with whatever checksums it carries: Meta `*.chk` md5 checklists
 * (each relative to its own folder), a `SHA256SUMS` file, and hub-cache snapshot links whose blob is named by its
 * sha256 (LFS files). `checks` is empty when the folder has nothing to verify against.
 */
export async function verifyDirectory(params: { dir: string; onFile?: (path: string) => void }): Promise<{ ok: boolean; checks: DirectoryCheck[] }> {
  const entries = await walk(params.dir);
  const checks: DirectoryCheck[] = [];
  for (const e of entries.filter((x) => x.rel.endsWith(".chk"))) {
    const folder = path.posix.dirname(e.rel);
    params.onFile?.(e.rel);
    const r = await verifyChecklist({ dir: path.join(params.dir, folder), checklist: await readFile(path.join(params.dir, e.rel), "utf8") });
    for (const f of r.files) {
      checks.push({ path: folder === "." ? f.path : `${folder}/${f.path}`, ok: f.ok, algorithm: "md5", expected: f.expectedMd5, actual: f.actualMd5 });
    }
  }
  const sums = entries.find((x) => x.rel === "SHA256SUMS");
  if (sums) {
    for (const line of (await readFile(path.join(params.dir, sums.rel), "utf8")).split("\n")) {
      const m = /^([0-9a-f]{64}) [ *](.+)$/i.exec(line.trim());
      if (!m) continue;
      params.onFile?.(m[2]!);
      const r = await verifyBlob({ file: safeJoin(params.dir, m[2]!), sha256: m[1]! });
      checks.push({ path: m[2]!, ok: r.ok, algorithm: "sha256", expected: m[1]!.toLowerCase(), actual: r.actual.sha256 ?? null });
    }
  }
  for (const e of entries.filter((x) => x.kind === "link")) {
    const blob = path.basename(await readlink(path.join(params.dir, e.rel)));
    if (!/^[0-9a-f]{64}$/.test(blob) || checks.some((c) => c.path === e.rel)) continue;
    params.onFile?.(e.rel);
    const r = await verifyBlob({ file: path.join(params.dir, e.rel), sha256: blob });
    checks.push({ path: e.rel, ok: r.ok, algorithm: "sha256", expected: blob, actual: r.actual.sha256 ?? null });
  }
  return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
}
