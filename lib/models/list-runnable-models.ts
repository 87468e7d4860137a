import { visibleModelsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { RUNNABLE_STATUSES } from "./find-model";

export type RunnableModelDto = { id: string; name: string; family: string | null; createdAt: string };

/** The GGUF models a run, the playground or the API can use now. */
export async function listRunnableModels(params: { user: AccessUser }): Promise<RunnableModelDto[]> {
  const rows = await db().model.findMany({
    where: { format: "gguf", status: { in: RUNNABLE_STATUSES }, ...visibleModelsWhere(params.user) },
    orderBy: { name: "asc" },
    select: { id: true, name: true, family: true, createdAt: true },
  });
  return rows.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() }));
}
