import { assertModelVisible } from "../access/model-access";
import type { Principal } from "../auth/authenticate";
import { db } from "../db/prisma";
import { isSupportedArchitecture } from "../gguf/architectures";
import { InferenceError } from "../inference/errors";

/** `files`: the model's recorded .gguf files (a Hub GGUF's in a snapshot shared with other quants; a split set's parts). */
export type RunnableModel = { id: string; name: string; directory: string; files: string[] };

/** Statuses in which a GGUF model's file is complete on disk. */
export const RUNNABLE_STATUSES = ["ready", "verified"];

/**
 * A GGUF model by id or name that can run now; a clear error otherwise. With a `principal` (requests from users)
 * a model hidden from them is "not found" (lib/access); workers, acting on checked requests, pass none.
 */
export async function findModel(params: { ref: string; principal?: Principal }): Promise<RunnableModel> {
  if (params.principal) await assertModelVisible(params.principal, { ref: params.ref });
  const m = await db().model.findFirst({
    where: { OR: [{ id: params.ref }, { name: params.ref }] },
    include: { files: { select: { path: true }, where: { path: { endsWith: ".gguf" } } } },
  });
  if (!m) throw new InferenceError("model_not_found", `model ${params.ref} not found`);
  if (m.format !== "gguf") throw new InferenceError("model_not_ready", `model ${m.name} is ${m.format}, not GGUF: convert it first`);
  if (!RUNNABLE_STATUSES.includes(m.status)) throw new InferenceError("model_not_ready", `model ${m.name} is ${m.status}`);
  const arch = architectureOf(m.metadataJson);
  if (arch && !isSupportedArchitecture(arch)) {
    throw new InferenceError("model_not_ready", `model ${m.name} has architecture ${arch}, which the bundled llama.cpp does not support`);
  }
  return { id: m.id, name: m.name, directory: m.directory, files: m.files.map((f) => f.path).sort() };
}

function architectureOf(metadataJson: string | null): string | null {
  const arch = metadataJson ? (JSON.parse(metadataJson) as { architecture?: unknown }).architecture : undefined;
  return typeof arch === "string" ? arch : null;
}
