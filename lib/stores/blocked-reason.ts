import { db } from "../db/prisma";
import { parseLane } from "../queue/names";
import { listWorkers } from "../workers/list-workers";
import { holdersOf, listStores } from "./replicas";

const names = (workers: { name: string }[]) => workers.map((w) => w.name).join(", ");

/**
 * Why jobs in each lane cannot start now: no online worker holds the lane's model, or the lane's store has no
 * online worker. Lanes some online worker consumes are left out.
 */
export async function laneBlockers(lanes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const parsed = [...new Set(lanes)].map((lane) => ({ lane, target: parseLane(lane) }));
  const modelIds = parsed.flatMap((p) => (p.target && "modelId" in p.target ? [p.target.modelId] : []));
  if (parsed.every((p) => !p.target)) return out;
  const [holders, stores, models] = await Promise.all([
    holdersOf(modelIds),
    listStores(),
    db().model.findMany({ where: { id: { in: modelIds } }, select: { id: true, name: true } }),
  ]);
  for (const { lane, target } of parsed) {
    if (!target) continue;
    if ("modelId" in target) {
      const held = holders.get(target.modelId) ?? [];
      const name = models.find((m) => m.id === target.modelId)?.name ?? "its model";
      if (held.some((h) => h.online)) continue;
      const by = held.flatMap((h) => h.workers);
      out.set(lane, by.length > 0 ? `no online worker holds ${name} (held by ${names(by)}, offline)` : `no worker holds ${name}; download or convert it on a worker`);
    } else {
      const store = stores.find((s) => s.storeId === target.storeId);
      if (store?.online) continue;
      out.set(lane, store ? `the worker it is aimed at is offline (${names(store.workers)})` : `no worker serves store ${target.storeId}`);
    }
  }
  return out;
}

type JobLike = { status: string; lane: string | null; workerName: string | null };

/**
 * Why each job that is not finished is not running: waiting in a lane no online worker consumes, or shown active
 * on a worker that stopped heart-beating (BullMQ hands it to another worker of that lane, if one is online).
 */
export async function jobBlockers<J extends JobLike>(jobs: J[]): Promise<Map<J, string>> {
  const open = jobs.filter((j) => ["waiting", "delayed", "active"].includes(j.status));
  const out = new Map<J, string>();
  if (open.length === 0) return out;
  const [byLane, workers] = await Promise.all([laneBlockers(open.flatMap((j) => (j.lane ? [j.lane] : []))), listWorkers()]);
  for (const j of open) {
    const lane = j.lane ? byLane.get(j.lane) : undefined;
    if (j.status !== "active") {
      if (lane) out.set(j, `waiting: ${lane}`);
      continue;
    }
    if (workers.some((w) => w.name === j.workerName && w.online)) continue;
    out.set(j, `worker ${j.workerName} went offline; ${lane ? `waiting: ${lane}` : "another worker takes the job over once its lock expires"}`);
  }
  return out;
}
