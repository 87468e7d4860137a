import { visibleModelsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { listStores } from "../stores/replicas";
import { MODEL_INCLUDE, toModelDto, type ModelDto } from "./model-dto";

/** The inventory as `user` may see it (lib/access). */
export async function listModels(params: { user: AccessUser }): Promise<ModelDto[]> {
  const [rows, stores] = await Promise.all([
    // A download that failed before any file was complete is a Downloads page entry, not an inventory model.
    db().model.findMany({ where: { AND: [visibleModelsWhere(params.user), { NOT: { status: "failed", files: { none: {} } } }] }, orderBy: { createdAt: "desc" }, include: MODEL_INCLUDE }),
    listStores(),
  ]);
  return rows.map((m) => toModelDto(m, stores));
}
