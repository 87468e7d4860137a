import { StoreError } from "./errors";
import { storeLane } from "../queue/names";
import { holdersOf, listStores } from "./replicas";

/** A store a user aimed a job at must be one some worker has served (the form lists them). */
export async function checkStore(storeId: string): Promise<void> {
  if (!(await listStores()).some((s) => s.storeId === storeId)) throw new StoreError("unknown_worker", `no worker serves a model store with id ${storeId}`);
}

/**
 * The lane of a job that reads a model's files: the chosen store, which must hold the model; else a store holding
 * it with an online worker and the most free disk; else any store holding it (the job waits for its workers).
 * A model no store is known to hold (registered by hand) goes to any worker: null.
 */
export async function laneHolding(params: { modelId: string; modelName: string; storeId?: string }): Promise<string | null> {
  const holders = (await holdersOf([params.modelId])).get(params.modelId) ?? [];
  if (params.storeId) {
    if (!holders.some((h) => h.storeId === params.storeId)) {
      throw new StoreError("not_on_worker", `${params.modelName} is not on that worker; download it there first`);
    }
    return storeLane(params.storeId);
  }
  const best = [...holders].sort((a, b) => Number(b.online) - Number(a.online) || (b.freeBytes ?? 0) - (a.freeBytes ?? 0))[0];
  return best ? storeLane(best.storeId) : null;
}
