import path from "node:path";
import { db } from "../db/prisma";
import { modelFile } from "./model-file";
import { enqueue } from "../queue/enqueue";
import { laneHolding } from "../stores/placement";
import { copiesTo } from "../stores/replicas";
import { assertQuantizable, ConvertError, QUANTIZE_TYPES } from "../convert";
import type { convertTypes } from "../queue/payloads";
import { ggufDir } from "../stores/paths";
import { ModelError } from "./errors";

/** `meta-llama/Llama-2-7b-hf` + q8_0 → `Llama-2-7b-hf-q8_0`: a file-system-safe name for the derived model. */
function derivedName(source: string, type: string): string {
  const base = source.split("/").pop()!.replace(/@/g, "-").replace(/[^\w.-]+/g, "-");
  return `${base}-${type}`;
}

/**
 * An already-quantized or damaged source is refused before anything is registered, where this process can read the
 * file (it shares a store with a worker); otherwise the worker's job fails with the same message.
 */
async function refuseUnquantizable(src: { directory: string; name: string }): Promise<void> {
  const file = await modelFile(src).catch(() => null);
  if (!file) return;
  await assertQuantizable({ file }).catch((e: unknown) => {
    // The message names the file without the server's own path to it.
    throw e instanceof ConvertError ? new ModelError(e.code, `${src.name} cannot be quantized: ${e.message.replace(file, path.basename(file))}`) : e;
  });
}

/**
 * Registers the GGUF model-to-be (pending, derived from the source) and enqueues its conversion: a checkpoint is
 * converted, a GGUF model (F32/F16/BF16) quantized to another file type (the "Quantize" action). The derived name is
 * unique, so a double click converts once. A conversion that already exists, aimed at a worker store that lacks it,
 * is made again there (the converter is deterministic: the same file), so that worker can run it too.
 */
export async function startConvert(params: {
  modelId: string;
  type: (typeof convertTypes)[number];
  /** The worker store to convert on (it must hold the source); default: the best one that does. */
  storeId?: string;
  userId: string;
}): Promise<{ jobId: string; modelId: string; name: string }> {
  const src = await db().model.findUnique({ where: { id: params.modelId } });
  if (!src) throw new ModelError("not_found", `model ${params.modelId} not found`);
  if (src.format === "gguf" && !(QUANTIZE_TYPES as readonly string[]).includes(params.type)) {
    throw new ModelError("bad_type", `a GGUF model is quantized to one of ${QUANTIZE_TYPES.join(", ")}, not ${params.type}`);
  }
  if (src.format === "gguf") await refuseUnquantizable(src);
  if (!["ready", "verified"].includes(src.status)) {
    throw new ModelError("not_ready", `${src.name} is ${src.status}: only a downloaded model can be converted`);
  }
  const name = derivedName(src.name, params.type);
  const lane = await laneHolding({ modelId: src.id, modelName: src.name, storeId: params.storeId });
  const existing = await db().model.findUnique({ where: { name } });
  if (existing) {
    if (!(await copiesTo(existing.id, params.storeId)) || !["ready", "verified"].includes(existing.status)) {
      throw new ModelError("exists", `${name} is already in the inventory${params.storeId ? " on that worker" : ""}`);
    }
    const jobId = `convert-${existing.id}-to-${params.storeId}`;
    const busy = await db().job.findUnique({ where: { id: jobId } });
    if (busy && ["active", "waiting", "delayed"].includes(busy.status)) throw new ModelError("busy", `${name} is already being converted there (job ${jobId})`);
    await enqueue({ queue: "convert", lane, jobId, userId: params.userId, modelId: existing.id, data: { kind: "convert", modelId: src.id, type: params.type, outModelId: existing.id } });
    return { jobId, modelId: existing.id, name };
  }
  const out = await db().model.create({
    data: {
      name,
      family: src.family,
      source: "local",
      format: "gguf",
      directory: ggufDir(name),
      derivedFromId: src.id,
      createdById: params.userId,
      // A conversion is as private as its source: it inherits the source's groups (lib/access).
      shares: { create: (await db().modelShare.findMany({ where: { modelId: src.id } })).map((s) => ({ groupId: s.groupId })) },
    },
  });
  const jobId = `convert-${out.id}`;
  await enqueue({ queue: "convert", lane, jobId, userId: params.userId, modelId: out.id, data: { kind: "convert", modelId: src.id, type: params.type, outModelId: out.id } });
  return { jobId, modelId: out.id, name };
}
