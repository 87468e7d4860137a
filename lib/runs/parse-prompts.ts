import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import { chatMessage, type ChatMessage } from "../generation/sampling";
import type { RowError } from "./errors";

export const PROMPT_FORMATS = ["jsonl", "csv", "lines"] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

export type PromptItem = {
  externalId?: string;
  input: { prompt: string } | { messages: ChatMessage[] };
  metadata?: Record<string, unknown>;
};

const MAX_ITEMS = 10_000;

const jsonlRow = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    prompt: z.string().min(1, "prompt is empty").optional(),
    messages: z.array(chatMessage).min(1).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => (r.prompt === undefined) !== (r.messages === undefined), "needs exactly one of prompt or messages");

/**
 * Reads an upload into prompt items: JSONL (`{"prompt"}` or `{"messages"}`, optional `id`, `metadata`), CSV with a
 * `prompt` column (optional `id` column, other columns become metadata) or plain text, one prompt per line.
 * Every bad row is reported with its 1-based row number; completion runs take only `prompt` rows.
 */
export function parsePrompts(params: { content: string; format: PromptFormat; mode: "completion" | "chat" }): {
  items: PromptItem[];
  errors: RowError[];
} {
  const items: PromptItem[] = [];
  const errors: RowError[] = [];
  const add = (row: number, item: PromptItem) => {
    if (params.mode === "completion" && "messages" in item.input) {
      errors.push({ row, message: "messages rows need a chat run; completion runs take prompt rows" });
    } else items.push(item);
  };
  if (params.format === "lines") {
    params.content.split(/\r?\n/).forEach((line, i) => {
      if (line.trim()) add(i + 1, { input: { prompt: line } });
    });
  } else if (params.format === "jsonl") {
    params.content.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return errors.push({ row: i + 1, message: "not valid JSON" });
      }
      const r = jsonlRow.safeParse(value);
      if (!r.success) {
        return errors.push({ row: i + 1, message: r.error.issues.map((x) => (x.path.length ? `${x.path.join(".")}: ` : "") + x.message).join("; ") });
      }
      const d = r.data;
      add(i + 1, {
        ...(d.id !== undefined ? { externalId: String(d.id) } : {}),
        input: d.messages ? { messages: d.messages } : { prompt: d.prompt! },
        ...(d.metadata ? { metadata: d.metadata } : {}),
      });
    });
  } else {
    let records: Record<string, string>[];
    try {
      records = parseCsv(params.content, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
    } catch (err) {
      return { items: [], errors: [{ row: 1, message: `not valid CSV: ${err instanceof Error ? err.message : String(err)}` }] };
    }
    if (records.length > 0 && !("prompt" in records[0]!)) return { items: [], errors: [{ row: 1, message: "the CSV has no prompt column" }] };
    records.forEach((rec, i) => {
      const { prompt, id, ...rest } = rec;
      if (!prompt?.trim()) return errors.push({ row: i + 2, message: "prompt is empty" });
      add(i + 2, {
        ...(id ? { externalId: id } : {}),
        input: { prompt },
        ...(Object.keys(rest).length ? { metadata: rest } : {}),
      });
    });
  }
  if (items.length > MAX_ITEMS) errors.push({ row: 0, message: `at most ${MAX_ITEMS} prompts per run` });
  return { items, errors };
}
