import { stat } from "node:fs/promises";
import { db } from "../db/prisma";
import { safeJoin } from "../download";
import { logger } from "../log/logger";
import { modelDir } from "../stores/paths";
import { RUNNABLE_STATUSES } from "./find-model";

const log = logger("stores");

/**
 * Models that no store is known to hold (rows from before model stores existed) but whose every recorded file is
 * here with its recorded size are recorded as held by this store, so upgrading keeps them runnable.
 */
export async function adoptLocalModels(storeId: string): Promise<void> {
  const orphans = await db().model.findMany({ where: { replicas: { none: {} }, status: { in: RUNNABLE_STATUSES } }, include: { files: true } });
  for (const m of orphans) {
    if (m.files.length === 0) continue;
    const sizes = await Promise.all(m.files.map((f) => stat(safeJoin(modelDir(m.directory), f.path)).then((s) => s.size, () => -1)));
    if (sizes.some((s, i) => s !== Number(m.files[i]!.bytes))) continue;
    await db().modelReplica.create({ data: { modelId: m.id, storeId, bytes: m.bytes } }).catch(() => {}); // another worker of this store won
    log.info("model found in this store", { model: m.name, storeId });
  }
}
