import { db } from "@/lib/db/prisma";
import { withRole } from "@/lib/http/route";

export const GET = withRole("admin", async ({ req }) => {
  const q = new URL(req.url).searchParams;
  const events = await db().auditEvent.findMany({
    where: q.get("action") ? { action: { startsWith: q.get("action")! } } : {},
    orderBy: { createdAt: "desc" },
    take: Math.min(Number(q.get("limit") || 200), 1000),
  });
  return Response.json({
    events: events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  });
});
