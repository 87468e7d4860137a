import { db } from "../db/prisma";
import { enqueue } from "../queue/enqueue";
import { storeLane } from "../queue/names";
import { holdersOf } from "../stores/replicas";
import { localStoreId } from "../stores/store-id";
import { removeModelFiles } from "./remove-model-files";
import { ModelError } from "./errors";

/**
 * Removes a model from the inventory and its bytes from every store: this process's store at once (the bytes freed
 * are returned), other workers' stores by a job on each store's lane, which runs when one of its workers is online.
 */
export async function deleteModel(params: { id: string; userId: string | null }): Promise<{ name: string; bytesFreed: number; pendingOn: string[] }> {
  const m = await db().model.findUnique({ where: { id: params.id }, include: { files: { select: { path: true } } } });
  if (!m) throw new ModelError("not_found", `model ${params.id} not found`);
  // A job names its models in its payload too (a Meta set, a conversion's source), not only in `modelId`.
  const busy = await db().job.findFirst({
    where: { status: { in: ["active", "waiting", "delayed"] }, OR: [{ modelId: m.id }, { payloadSummary: { contains: m.id } }] },
  });
  if (busy) throw new ModelError("busy", `job ${busy.id} is ${busy.status} on ${m.name}: cancel it first`);
  const facts = {
    id: m.id,
    name: m.name,
    source: m.source,
    directory: m.directory,
    ...(m.source === "hf" && m.format === "gguf" ? { files: m.files.map((f) => f.path) } : {}),
  };
  const here = await localStoreId();
  const remote = ((await holdersOf([m.id])).get(m.id) ?? []).filter((h) => h.storeId !== here);
  const bytesFreed = await removeModelFiles(facts);
  await db().model.delete({ where: { id: m.id } });
  for (const h of remote) {
    await enqueue({ queue: "maintenance", lane: storeLane(h.storeId), userId: params.userId, data: { kind: "delete-files", model: facts } });
  }
  return { name: m.name, bytesFreed, pendingOn: remote.flatMap((h) => h.workers.map((w) => w.name)) };
}
