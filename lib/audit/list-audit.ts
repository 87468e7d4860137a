import { db } from "../db/prisma";
import { csvCell } from "../csv";

export type AuditDto = { id: string; at: string; actor: string; action: string; target: string | null; detail: string | null; ip: string | null };

export type AuditFilter = { action?: string; actor?: string; since?: Date; until?: Date; limit?: number };

export async function listAudit(f: AuditFilter): Promise<AuditDto[]> {
  const rows = await db().auditEvent.findMany({
    where: {
      ...(f.action ? { action: { startsWith: f.action } } : {}),
      ...(f.actor ? { actorLabel: { contains: f.actor } } : {}),
      ...(f.since || f.until ? { createdAt: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lte: f.until } : {}) } } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: Math.min(f.limit ?? 200, 10_000),
  });
  return rows.map((e) => ({ id: e.id, at: e.createdAt.toISOString(), actor: e.actorLabel, action: e.action, target: e.target, detail: e.detail, ip: e.ip }));
}


export function auditCsv(events: AuditDto[]): string {
  const header = "time,actor,action,target,detail,ip";
  return [header, ...events.map((e) => [e.at, e.actor, e.action, e.target, e.detail, e.ip].map((v) => csvCell(v)).join(","))].join("\n") + "\n";
}
