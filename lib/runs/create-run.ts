import type { Principal } from "../auth/authenticate";
import { config } from "../config/env";
import { db } from "../db/prisma";
import { findModel } from "../models/find-model";
import { samplingParams, type ChatFormat, type SamplingInput } from "../generation/sampling";
import { enqueueItems } from "./enqueue-items";
import { RunError } from "./errors";
import { parsePrompts, type PromptFormat } from "./parse-prompts";

export type CreateRunParams = {
  /** Model id or name (a ready GGUF model). */
  model: string;
  name?: string;
  mode: "completion" | "chat";
  /** @default "auto" */
  chatFormat?: ChatFormat;
  /** Chat: the system message of every item (unless the item has its own); completion: text put before every prompt. */
  systemPrompt?: string;
  sampling: SamplingInput;
  upload: { format: PromptFormat; content: string };
  principal: Principal;
};

/** Validates the upload (all rows, or RunError with every bad row), stores the run and its items, and queues them. */
export async function createRun(params: CreateRunParams): Promise<{ id: string; total: number }> {
  const model = await findModel({ ref: params.model, principal: params.principal });
  const sampling = samplingParams.parse(params.sampling);
  const { items, errors } = parsePrompts({ ...params.upload, mode: params.mode });
  if (errors.length) throw new RunError("invalid_rows", `${errors.length} row(s) of the upload are invalid`, errors);
  if (items.length === 0) throw new RunError("empty", "the upload holds no prompts");
  const limit = config().INFERENCE_USER_MAX_ITEMS;
  const queued = await db().runItem.count({ where: { status: { in: ["pending", "running"] }, run: { createdById: params.principal.user.id } } });
  if (queued + items.length > limit) {
    throw new RunError("quota", `you have ${queued} batch items queued; ${items.length} more would pass your limit of ${limit}: wait for them or cancel a run`);
  }
  const run = await db().run.create({
    data: {
      name: params.name?.trim() || `${model.name} · ${items.length} prompts`,
      modelId: model.id,
      modelName: model.name,
      mode: params.mode,
      chatFormat: params.chatFormat ?? "auto",
      systemPrompt: params.systemPrompt || null,
      paramsJson: JSON.stringify(sampling),
      total: items.length,
      createdById: params.principal.user.id,
    },
  });
  await db().runItem.createMany({
    data: items.map((it, index) => ({
      runId: run.id,
      index,
      externalId: it.externalId ?? null,
      inputJson: JSON.stringify(it.input),
      metadataJson: it.metadata ? JSON.stringify(it.metadata) : null,
    })),
  });
  const ids = await db().runItem.findMany({ where: { runId: run.id }, orderBy: { index: "asc" }, select: { id: true } });
  await enqueueItems({ runId: run.id, modelId: model.id, userId: params.principal.user.id, itemIds: ids.map((i) => i.id), round: "0" });
  return { id: run.id, total: items.length };
}
