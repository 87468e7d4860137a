import { copyFile, link, lstat, mkdir, readdir, realpath, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { config } from "../config/env";
import { db } from "../db/prisma";
import { describeGguf, type GgufFacts } from "../gguf";
import { recordLocalReplica } from "../stores/replicas";
import { hashFile } from "../verify";
import { ggufDir, modelDir } from "../stores/paths";
import { recordModelFiles } from "./record-model-files";
import { ImportError, ModelError } from "./errors";

export type ImportableGguf = { dir: string; path: string; bytes: number };

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

/** The .gguf files under IMPORT_DIRS (a few levels deep); a link whose target lies outside its folder is left out. */
export async function listImportable(): Promise<ImportableGguf[]> {
  const out: ImportableGguf[] = [];
  const walk = async (root: { configured: string; real: string }, dir: string, depth: number): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      const real = await realpath(p).catch(() => null);
      if (!real || !within(real, root.real)) continue;
      const st = await stat(real).catch(() => null);
      if (!st) continue;
      if (st.isDirectory() && depth < MAX_DEPTH) await walk(root, p, depth + 1);
      else if (st.isFile() && e.name.endsWith(".gguf")) out.push({ dir: root.configured, path: p, bytes: st.size });
    }
  };
  for (const root of await importDirs()) await walk(root, root.configured, 0);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
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
 * Imports a GGUF from a configured folder into this process's store as `gguf/<name>/<file>`: a hard link (same inode,
 * no bytes copied) or, on another filesystem, a copy written to a temporary name and renamed. The file's header and
 * tensor table are validated first; a file llama.cpp cannot read is refused and nothing is registered.
 */
export async function importGguf(params: { path: string; name?: string; userId: string }): Promise<{ id: string; name: string; how: "link" | "copy"; facts: GgufFacts }> {
  const real = await resolveImport(params.path);
  let facts: GgufFacts;
  try {
    facts = await describeGguf({ files: [real] });
  } catch (err) {
    throw new ModelError("invalid_gguf", `${params.path}: ${(err as Error).message}`);
  }
  const base = path.basename(real);
  const name = params.name?.trim() || base.replace(/\.gguf$/, "");
  if (!/^[\w.:@/-]{1,200}$/.test(name) || name.split("/").includes("..")) throw new ModelError("bad_name", `not a model name: ${JSON.stringify(name)}`);
  if (await db().model.findUnique({ where: { name } })) throw new ModelError("exists", `a model named ${name} is already in the inventory`);

  const directory = ggufDir(name);
  const dest = path.join(modelDir(directory), base);
  await mkdir(path.dirname(dest), { recursive: true });
  let how: "link" | "copy" = "link";
  try {
    await link(real, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    how = "copy";
    const tmp = `${dest}.partial`;
    try {
      await copyFile(real, tmp);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  try {
    const { sha256, bytes } = await hashFile({ file: dest, md5: false });
    const m = await db().model.create({
      data: { name, source: "local", format: "gguf", directory, parameterCount: BigInt(facts.parameterCount), createdById: params.userId },
    });
    const r = await recordModelFiles({ modelId: m.id, files: [{ path: base, bytes, sha256 }], metadata: { importedFrom: params.path, ...facts } });
    await recordLocalReplica(m.id, r.bytes);
    return { id: m.id, name, how, facts };
  } catch (err) {
    // Nothing half-registered stays: the store folder goes with the failed import.
    await rm(modelDir(directory), { recursive: true, force: true });
    throw err;
  }
}
