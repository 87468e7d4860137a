import { copyFile, link, lstat, mkdir, readdir, realpath, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { config } from "../config/env";
import { db } from "../db/prisma";
import { describeGguf, type GgufFacts } from "../gguf";
import { ggufUnits, splitPart } from "../sources/hf";
import { recordLocalReplica } from "../stores/replicas";
import { hashFile } from "../verify";
import { ggufDir, modelDir } from "../stores/paths";
import { recordModelFiles } from "./record-model-files";
import { ImportError, ModelError } from "./errors";

/** One importable GGUF: a single file, or a split set listed by its first part with every part found (`parts`). */
export type ImportableGguf = { dir: string; path: string; bytes: number; parts: string[]; complete: boolean };

const within = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);
const MAX_DEPTH = 4;

/** IMPORT_DIRS, each resolved (symlinks too) once, so containment is checked against the real folders. */
async function importDirs(): Promise<{ configured: string; real: string }[]> {
  const list = (config().IMPORT_DIRS ?? "").split(",").map((d) => d.trim()).filter(Boolean);
  const out: { configured: string; real: string }[] = [];
  for (const d of list) {
    const real = await realpath(d).catch(() => null);
    if (path.isAbsolute(d) && real) out.push({ configured: path.resolve(d), real });
  }
  return out;
}

/**
 * The .gguf files under IMPORT_DIRS (a few levels deep), the parts of a split set (`-00001-of-0000N.gguf`) grouped
 * into one entry; a link whose target lies outside its folder is left out.
 */
export async function listImportable(): Promise<ImportableGguf[]> {
  const found: { dir: string; path: string; size: number }[] = [];
  const walk = async (root: { configured: string; real: string }, dir: string, depth: number): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      const real = await realpath(p).catch(() => null);
      if (!real || !within(real, root.real)) continue;
      const st = await stat(real).catch(() => null);
      if (!st) continue;
      if (st.isDirectory() && depth < MAX_DEPTH) await walk(root, p, depth + 1);
      else if (st.isFile() && e.name.endsWith(".gguf")) found.push({ dir: root.configured, path: p, size: st.size });
    }
  };
  for (const root of await importDirs()) await walk(root, root.configured, 0);
  // Stems carry the folder, so only parts side by side make one set.
  return ggufUnits(found)
    .map((u) => ({ dir: u.files[0]!.dir, path: u.files[0]!.path, bytes: u.bytes, parts: u.files.map((f) => f.path), complete: u.complete }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * The real file behind an import request: an absolute path with no `..`, lexically inside a configured folder, whose
 * resolved target (symlinks followed) is a regular .gguf file inside that folder's real path. Anything else is a 400
 * that names the path.
 */
async function resolveImport(file: string): Promise<string> {
  const bad = (code: ImportError["code"], msg: string): never => {
    throw new ImportError(code, msg);
  };
  if (!path.isAbsolute(file)) bad("bad_path", `${file}: give an absolute path inside IMPORT_DIRS`);
  if (file.split(/[\\/]/).includes("..")) bad("bad_path", `${file}: paths with .. are refused`);
  const dirs = await importDirs();
  const root = dirs.find((d) => within(file, d.configured) || within(file, d.real));
  if (!root) bad("not_import_dir", `${file} is not inside a folder of IMPORT_DIRS (${dirs.map((d) => d.configured).join(", ") || "none configured"})`);
  const real = await realpath(file).catch(() => bad("not_found", `${file} does not exist`));
  if (!within(real, root!.real)) bad("outside_import_dir", `${file} resolves to ${real}, outside ${root!.configured}; refused`);
  const st = await lstat(real);
  if (!st.isFile() || !real.endsWith(".gguf")) bad("not_gguf", `${file} is not a .gguf file`);
  return real;
}

/**
 * The files to import for `file`: itself, or for the first part of a split set every part beside it (each checked
 * like `file`); a later part, or a set with parts missing, is refused with the names it lacks.
 */
async function importSet(file: string): Promise<{ requested: string; real: string }[]> {
  const part = splitPart(file);
  if (!part) return [{ requested: file, real: await resolveImport(file) }];
  if (part.index !== 1) throw new ImportError("bad_path", `${file} is part ${part.index} of a split set: import its first part, ${path.basename(part.stem)}-00001-of-${String(part.count).padStart(5, "0")}.gguf`);
  const names = Array.from({ length: part.count }, (_, i) => `${part.stem}-${String(i + 1).padStart(5, "0")}-of-${String(part.count).padStart(5, "0")}.gguf`);
  const missing = (await Promise.all(names.map(async (n) => ((await stat(n).catch(() => null)) ? null : path.basename(n))))).filter(Boolean);
  if (missing.length > 0) throw new ImportError("not_found", `the split set ${path.basename(part.stem)} misses ${missing.length} of its ${part.count} parts: ${missing.join(", ")}`);
  return Promise.all(names.map(async (n) => ({ requested: n, real: await resolveImport(n) })));
}

/** A hard link (same inode, no bytes copied) or, on another filesystem, a copy written to a temporary name and renamed. */
async function place(real: string, dest: string): Promise<"link" | "copy"> {
  try {
    await link(real, dest);
    return "link";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    const tmp = `${dest}.partial`;
    try {
      await copyFile(real, tmp);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
    return "copy";
  }
}

/**
 * Imports a GGUF from a configured folder into this process's store as `gguf/<name>/<file>`; the first part of a
 * split set brings every part, and the model loads from part 1 as a Hub split set does. The header and tensor table
 * (of all parts together) are validated first; a file llama.cpp cannot read is refused and nothing is registered.
 */
export async function importGguf(params: { path: string; name?: string; userId: string }): Promise<{ id: string; name: string; how: "link" | "copy"; facts: GgufFacts }> {
  const set = await importSet(params.path);
  let facts: GgufFacts;
  try {
    facts = await describeGguf({ files: set.map((f) => f.real) });
  } catch (err) {
    throw new ModelError("invalid_gguf", `${params.path}: ${(err as Error).message}`);
  }
  // The parts keep the names they were asked by: llama.cpp finds a set's later parts by the first one's name.
  const bases = set.map((f) => path.basename(set.length > 1 ? f.requested : f.real));
  const part = splitPart(params.path);
  const name = params.name?.trim() || (part ? path.basename(part.stem) : bases[0]!.replace(/\.gguf$/, ""));
  if (!/^[\w.:@/-]{1,200}$/.test(name) || name.split("/").includes("..")) throw new ModelError("bad_name", `not a model name: ${JSON.stringify(name)}`);
  if (await db().model.findUnique({ where: { name } })) throw new ModelError("exists", `a model named ${name} is already in the inventory`);

  const directory = ggufDir(name);
  const dir = modelDir(directory);
  await mkdir(dir, { recursive: true });
  try {
    let how: "link" | "copy" = "link";
    for (const [i, f] of set.entries()) if ((await place(f.real, path.join(dir, bases[i]!))) === "copy") how = "copy";
    const files = await Promise.all(bases.map(async (b) => ({ path: b, ...(await hashFile({ file: path.join(dir, b), md5: false })) })));
    const m = await db().model.create({
      data: { name, source: "local", format: "gguf", directory, parameterCount: BigInt(facts.parameterCount), createdById: params.userId },
    });
    const r = await recordModelFiles({ modelId: m.id, files: files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })), metadata: { importedFrom: params.path, ...facts } });
    await recordLocalReplica(m.id, r.bytes);
    return { id: m.id, name, how, facts };
  } catch (err) {
    // Nothing half-registered stays: the store folder goes with the failed import.
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
