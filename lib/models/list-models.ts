import { visibleModelsWhere, type AccessUser } from "../access/model-access";
import { db, type Prisma } from "../db/prisma";
import { listStores } from "../stores/replicas";
import { MODEL_INCLUDE, toModelDto, type ModelDto } from "./model-dto";

/**
 * A download that failed with no complete copy in any store: an entry of the Downloads page (its job and rows are
 * kept there for Resume), not an inventory model. Its file rows may exist, listed from the catalog before any byte.
 */
const FAILED_DOWNLOAD = { status: "failed", source: { in: ["meta", "hf"] }, replicas: { none: {} } } satisfies Prisma.ModelWhereInput;

/** The inventory as `user` may see it (lib/access). */
export async function listModels(params: { user: AccessUser }): Promise<ModelDto[]> {
  const [rows, stores] = await Promise.all([
    db().model.findMany({ where: { AND: [visibleModelsWhere(params.user), { NOT: FAILED_DOWNLOAD }] }, orderBy: { createdAt: "desc" }, include: MODEL_INCLUDE }),
    listStores(),
  ]);
  // A conversion's output row is pending until its job ends: the list shows that job's progress inline.
  const jobs = await db().job.findMany({
    where: { modelId: { in: rows.map((m) => m.id) }, status: { in: ["waiting", "active", "delayed"] } },
    orderBy: { createdAt: "desc" },
    select: { id: true, queue: true, status: true, progress: true, modelId: true },
  });
  return rows.map((m) => {
    const job = jobs.find((j) => j.modelId === m.id);
    return { ...toModelDto(m, stores), activeJob: job ? { id: job.id, queue: job.queue, status: job.status, progress: job.progress } : null };
  });
}
