import type { Principal } from "../auth/authenticate";
import { recordAudit } from "../audit/record-audit";
import { db, type Prisma } from "../db/prisma";
import { AccessError } from "./errors";

export type AccessUser = Pick<Principal["user"], "id" | "role">;

/**
 * Which models a user may see and run. A model without shares belongs to the whole team; once shared with
 * groups it is visible only to their members, its creator and admins. Every model read for a user filters
 * through this one clause (UI, API, OpenAI API and CLI alike).
 */
export function visibleModelsWhere(user: AccessUser): Prisma.ModelWhereInput {
  if (user.role === "admin") return {};
  return {
    OR: [{ shares: { none: {} } }, { createdById: user.id }, { shares: { some: { group: { members: { some: { userId: user.id } } } } } }],
  };
}

/** For rows that may belong to a model (jobs): those of hidden models are left out; rows of no model stay. */
export function visibleModelRowsWhere(user: AccessUser): { OR?: [{ modelId: null }, { model: Prisma.ModelWhereInput }] } {
  // An empty relation filter inside OR matches nothing in Prisma, so admins get no clause at all.
  return user.role === "admin" ? {} : { OR: [{ modelId: null }, { model: visibleModelsWhere(user) }] };
}

/**
 * For routes that act on one model: a model the caller may not see answers 404, exactly like a missing one,
 * so its existence does not leak; the refusal is audited.
 */
export async function assertModelVisible(principal: Principal, modelRef: { id: string } | { name: string } | { ref: string }, ip?: string): Promise<void> {
  const where: Prisma.ModelWhereInput =
    "id" in modelRef ? { id: modelRef.id } : "name" in modelRef ? { name: modelRef.name } : { OR: [{ id: modelRef.ref }, { name: modelRef.ref }] };
  const visible = await db().model.findFirst({ where: { AND: [where, visibleModelsWhere(principal.user)] }, select: { id: true } });
  if (visible) return;
  const exists = await db().model.findFirst({ where, select: { id: true, name: true } });
  if (exists) await recordAudit({ actor: principal, action: "model.access_denied", target: exists.name, ip });
  throw new AccessError("not_found", `model ${Object.values(modelRef)[0]} not found`);
}

/** Runs on a model hidden from the caller are hidden too (404, like a missing run). */
export async function assertRunVisible(user: AccessUser, runId: string): Promise<void> {
  if (!(await db().run.findFirst({ where: { id: runId, ...visibleModelRowsWhere(user) }, select: { id: true } }))) throw new AccessError("not_found", `run ${runId} not found`);
}
