import { stat } from "node:fs/promises";
import path from "node:path";
import { visibleModelsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { safeJoin } from "../download";
import { modelDir } from "../stores/paths";

export type GgufFileToServe = { file: string; fileName: string; bytes: number };

/**
 * A GGUF model's file as this process's store holds it, for a download by `user`: `path` picks one file of a split
 * set (default: the first). Null when the model is hidden from `user`, is not GGUF, or its file is not here.
 */
export async function ggufFileToServe(params: { id: string; user: AccessUser; path?: string }): Promise<GgufFileToServe | null> {
  const m = await db().model.findFirst({
    where: { AND: [{ id: params.id }, visibleModelsWhere(params.user), { format: "gguf" }] },
    include: { files: { where: { path: { endsWith: ".gguf" }, status: { in: ["downloaded", "verified"] } }, orderBy: { path: "asc" } } },
  });
  const row = params.path === undefined ? m?.files[0] : m?.files.find((f) => f.path === params.path);
  if (!m || !row) return null;
  const file = safeJoin(modelDir(m.directory), row.path);
  const st = await stat(file).catch(() => null);
  return st?.isFile() ? { file, fileName: path.basename(row.path), bytes: st.size } : null;
}
