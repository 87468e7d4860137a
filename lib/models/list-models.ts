import { visibleModelsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { MODEL_INCLUDE, toModelDto, type ModelDto } from "./model-dto";

/** The inventory as `user` may see it (lib/access). */
export async function listModels(params: { user: AccessUser }): Promise<ModelDto[]> {
  const rows = await db().model.findMany({ where: visibleModelsWhere(params.user), orderBy: { createdAt: "desc" }, include: MODEL_INCLUDE });
  return rows.map(toModelDto);
}
