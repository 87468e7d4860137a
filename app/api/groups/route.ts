import { createGroup, groupInput, listGroups } from "@/lib/access/groups";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";

export const GET = withRole("admin", async () => Response.json({ groups: await listGroups() }));

export const POST = withRole("admin", async ({ req, principal, ip }) => {
  const group = await createGroup(groupInput.parse(await readJson(req)));
  await recordAudit({ actor: principal, action: "group.create", target: group.name, detail: { members: group.members.map((m) => m.email) }, ip });
  return Response.json({ group }, { status: 201 });
});
