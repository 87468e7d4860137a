import { db } from "../db/prisma";
import { DepotError } from "../errors";
import { isRetryable } from "../http/errors";
import { InferenceError } from "../inference/errors";
import type { SamplingInput } from "../generation/sampling";
import { generateOnModel } from "../models/generate-on-model";
import { logger } from "../log/logger";
import { itemInput } from "./item-input";
import { refreshRunStatus } from "./refresh-run-status";

const log = logger("runs");

export type ExecuteRunItemResult = { status: "completed" | "skipped" | "cancelled"; tokensOut?: number };

/**
 * Worker side of one batch item. A finished item is never run again (a crashed worker's job comes back, but
 * its item may have completed already), and the result is written to the database before the job completes.
 * `canRetry` says whether the queue will try again after a retryable error (the item then waits as pending).
 */
export async function executeRunItem(params: { runItemId: string; signal: AbortSignal; canRetry: boolean }): Promise<ExecuteRunItemResult> {
  const item = await db().runItem.findUnique({ where: { id: params.runItemId }, include: { run: true } });
  if (!item || item.status === "completed") return { status: "skipped" };
  const { run } = item;
  if (run.status === "cancelled" || item.status === "cancelled") {
    await db().runItem.updateMany({ where: { id: item.id, status: { in: ["pending", "running"] } }, data: { status: "cancelled" } });
    return { status: "cancelled" };
  }
  await db().runItem.update({ where: { id: item.id }, data: { status: "running", attempts: { increment: 1 }, startedAt: new Date(), error: null } });
  await db().run.updateMany({ where: { id: run.id, status: "queued" }, data: { status: "running", startedAt: new Date() } });
  try {
    if (!run.modelId) throw new InferenceError("model_not_found", `model ${run.modelName} was deleted`);
    const r = await generateOnModel({
      modelId: run.modelId,
      input: itemInput({ mode: run.mode, chatFormat: run.chatFormat, systemPrompt: run.systemPrompt, input: JSON.parse(item.inputJson) as never }),
      sampling: JSON.parse(run.paramsJson) as SamplingInput,
      signal: params.signal,
    });
    const written = await db().runItem.updateMany({
      where: { id: item.id, status: { not: "completed" } },
      data: {
        status: "completed",
        output: r.text,
        tokensIn: r.promptTokens,
        tokensOut: r.tokens.length,
        ttftMs: Math.round(r.ttftMs),
        durationMs: Math.round(r.durationMs),
        finishedAt: new Date(),
        error: null,
      },
    });
    if (written.count === 1) log.info("run item completed", { runId: run.id, itemId: item.id, index: item.index, tokens: r.tokens.length });
    return { status: "completed", tokensOut: r.tokens.length };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const reason: unknown = params.signal.aborted ? params.signal.reason : undefined;
    // On shutdown the worker hands the job back; otherwise a retryable error waits for the queue's next attempt.
    const status = reason === "cancelled" ? "cancelled" : reason === "shutdown" || (params.canRetry && isRetryable(err)) ? "pending" : "failed";
    await db().runItem.updateMany({ where: { id: item.id, status: "running" }, data: { status, error: message, finishedAt: status === "pending" ? null : new Date() } });
    if (status !== "pending" && !(err instanceof DepotError)) throw new InferenceError("failed", message);
    throw err;
  } finally {
    await refreshRunStatus(run.id);
  }
}
