import { assertModelVisible } from "../access/model-access";
import type { Principal } from "../auth/authenticate";
import { db } from "../db/prisma";
import { InferenceError } from "./errors";

export type RunnableModel = { id: string; name: string; directory: string };

/** Statuses in which a GGUF model's file is complete on disk. */
export const RUNNABLE_STATUSES = ["ready", "verified"];

/**
 * A GGUF model by id or name that can run now; a clear error otherwise. With a `principal` (requests from users)
 * a model hidden from them is "not found" (lib/access); workers, acting on checked requests, pass none.
 */
export async function findModel(params: { ref: string; principal?: Principal }): Promise<RunnableModel> {
  if (params.principal) await assertModelVisible(params.principal, { ref: params.ref });
  const m = await db().model.findFirst({ where: { OR: [{ id: params.ref }, { name: params.ref }] } });
  if (!m) throw new InferenceError("model_not_found", `model ${params.ref} not found`);
  if (m.format !== "gguf") throw new InferenceError("model_not_ready", `model ${m.name} is ${m.format}, not GGUF: convert it first`);
  if (!RUNNABLE_STATUSES.includes(m.status)) throw new InferenceError("model_not_ready", `model ${m.name} is ${m.status}`);
  return { id: m.id, name: m.name, directory: m.directory };
}
