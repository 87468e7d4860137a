import { db } from "../db/prisma";
import { csvCell } from "../csv";
import { RunError } from "./errors";
import { toItemDto } from "./to-dto";

export const EXPORT_FORMATS = ["jsonl", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

// Objects (messages, metadata) are written as JSON text; numbers as numbers.
function exportCell(v: unknown): string {
  return csvCell(v === null || v === undefined || typeof v === "string" || typeof v === "number" ? v : JSON.stringify(v));
}

/** A run's items in upload order as JSONL (one object per line) or CSV (header row; messages/metadata as JSON). */
export async function exportRun(params: { id: string; format: ExportFormat }): Promise<{ filename: string; contentType: string; body: string }> {
  const run = await db().run.findUnique({ where: { id: params.id } });
  if (!run) throw new RunError("not_found", `run ${params.id} not found`);
  const rows = (await db().runItem.findMany({ where: { runId: run.id }, orderBy: { index: "asc" } })).map(toItemDto).map((i) => ({
    index: i.index,
    id: i.externalId,
    ...("prompt" in i.input ? { prompt: i.input.prompt } : { messages: i.input.messages }),
    metadata: i.metadata,
    status: i.status,
    output: i.output,
    tokens_in: i.tokensIn,
    tokens_out: i.tokensOut,
    ttft_ms: i.ttftMs,
    duration_ms: i.durationMs,
    error: i.error,
  }));
  const base = `run-${run.id}`;
  if (params.format === "jsonl") {
    return { filename: `${base}.jsonl`, contentType: "application/x-ndjson", body: rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "") };
  }
  const cols = ["index", "id", "prompt", "messages", "metadata", "status", "output", "tokens_in", "tokens_out", "ttft_ms", "duration_ms", "error"];
  const lines = [cols.join(","), ...rows.map((r) => cols.map((c) => exportCell((r as Record<string, unknown>)[c])).join(","))];
  return { filename: `${base}.csv`, contentType: "text/csv; charset=utf-8", body: lines.join("\r\n") + "\r\n" };
}
