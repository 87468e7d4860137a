import { db } from "../db/prisma";

/** What a job is about, for its row: the model(s) or run it works on, named, and the run it belongs to. */
export type JobSubject = { title: string; run: { id: string; name: string } | null };

type Summary = { kind?: string; modelId?: string; outModelId?: string; modelIds?: string[]; models?: string[]; repo?: string; quant?: string; runItemId?: string; model?: { name?: string }; message?: string };

type Names = { models: Map<string, string>; items: Map<string, { id: string; name: string; index: number }> };

/** A model by name, or by id when its row is gone (deleted since). */
const named = (names: Names, id: string | undefined) => (id ? (names.models.get(id) ?? `model ${id}`) : "?");

/** The row title of one job from its payload summary and the names of what it refers to. */
export function subjectOf(queue: string, summary: Summary, names: Names): JobSubject {
  const item = summary.runItemId ? names.items.get(summary.runItemId) : undefined;
  if (item) return { title: `${item.name} · item ${item.index + 1}`, run: { id: item.id, name: item.name } };
  switch (summary.kind) {
    case "convert":
      return { title: `${named(names, summary.modelId)} → ${named(names, summary.outModelId)}`, run: null };
    case "verify":
      return { title: `verify ${named(names, summary.modelId)}`, run: null };
    case "download": {
      const what = summary.repo ? `${summary.repo}${summary.quant ? `:${summary.quant}` : ""}` : (summary.modelIds ?? []).map((id) => named(names, id)).join(", ");
      return { title: `download ${what}`, run: null };
    }
    case "generate":
      return { title: `chat with ${named(names, summary.modelId)}`, run: null };
    case "run-item":
      return { title: "batch item (run deleted)", run: null };
    case "gc":
      return { title: "collect garbage", run: null };
    case "delete-files":
      return { title: `delete files of ${summary.model?.name ?? "?"}`, run: null };
    case "echo":
      return { title: `echo “${summary.message ?? ""}”`, run: null };
    default:
      return { title: `${queue} · ${summary.kind ?? "?"}`, run: null };
  }
}

/** Titles for many jobs at once: one query for the models they name, one for the run items. */
export async function jobSubjects(summaries: unknown[], queues: string[]): Promise<JobSubject[]> {
  const s = summaries as Summary[];
  const modelIds = [...new Set(s.flatMap((x) => [x.modelId, x.outModelId, ...(x.modelIds ?? [])]).filter((x): x is string => !!x))];
  const itemIds = [...new Set(s.map((x) => x.runItemId).filter((x): x is string => !!x))];
  const [models, items] = await Promise.all([
    modelIds.length ? db().model.findMany({ where: { id: { in: modelIds } }, select: { id: true, name: true } }) : [],
    itemIds.length ? db().runItem.findMany({ where: { id: { in: itemIds } }, select: { id: true, index: true, run: { select: { id: true, name: true } } } }) : [],
  ]);
  const names: Names = {
    models: new Map(models.map((m) => [m.id, m.name])),
    items: new Map(items.map((i) => [i.id, { id: i.run.id, name: i.run.name, index: i.index }])),
  };
  return s.map((x, i) => subjectOf(queues[i]!, x, names));
}
