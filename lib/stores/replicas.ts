import { db } from "../db/prisma";
import { listWorkers } from "../workers/list-workers";
import { localStoreId } from "./store-id";

export type StoreWorker = { name: string; online: boolean };
export type StoreDto = { storeId: string; workers: StoreWorker[]; online: boolean; freeBytes: number | null };

/** Every store a worker has served, with its workers (freshest first) and the free disk its freshest heartbeat saw. */
export async function listStores(): Promise<StoreDto[]> {
  const stores = new Map<string, StoreDto>();
  for (const w of await listWorkers()) {
    if (!w.storeId) continue;
    const s = stores.get(w.storeId) ?? { storeId: w.storeId, workers: [], online: false, freeBytes: null };
    s.workers.push({ name: w.name, online: w.online });
    s.online ||= w.online;
    s.freeBytes ??= w.disk?.freeBytes ?? null;
    stores.set(s.storeId, s);
  }
  return [...stores.values()];
}

export type ModelHolder = StoreDto & { bytes: number };

/** The stores holding each of `modelIds` (a model no store holds maps to an empty list). */
export async function holdersOf(modelIds: string[]): Promise<Map<string, ModelHolder[]>> {
  const [replicas, stores] = await Promise.all([db().modelReplica.findMany({ where: { modelId: { in: modelIds } } }), listStores()]);
  const out = new Map<string, ModelHolder[]>(modelIds.map((id) => [id, []]));
  for (const r of replicas) {
    const s = stores.find((x) => x.storeId === r.storeId) ?? { storeId: r.storeId, workers: [], online: false, freeBytes: null };
    out.get(r.modelId)?.push({ ...s, bytes: Number(r.bytes) });
  }
  return out;
}

/**
 * A download or conversion of a model that other stores already hold only adds this store's copy: it must leave
 * the model's status alone for the workers that hold it.
 */
export async function heldElsewhere(modelId: string): Promise<boolean> {
  return (await db().modelReplica.count({ where: { modelId, storeId: { not: await localStoreId() } } })) > 0;
}

/** Whether a job for a model already in the inventory, aimed at `storeId`, would add a copy there (others hold it, that store not). */
export async function copiesTo(modelId: string, storeId: string | undefined): Promise<boolean> {
  if (!storeId) return false;
  const held = await db().modelReplica.findMany({ where: { modelId }, select: { storeId: true } });
  return held.length > 0 && !held.some((h) => h.storeId === storeId);
}

/** Records that this process's store now holds a complete copy of the model. */
export async function recordLocalReplica(modelId: string, bytes: number | bigint): Promise<void> {
  const storeId = await localStoreId();
  const data = { bytes: BigInt(bytes) };
  await db().modelReplica.upsert({ where: { modelId_storeId: { modelId, storeId } }, create: { modelId, storeId, ...data }, update: data });
}
