import { recordAudit } from "@/lib/audit/record-audit";
import { credentialInput, listCredentials, storeCredential } from "@/lib/credentials/store-credential";
import { withRole, readJson } from "@/lib/http/route";

export const GET = withRole("admin", async ({ principal }) => Response.json({ credentials: await listCredentials(principal.user) }));

export const POST = withRole("admin", async ({ req, principal, ip }) => {
  const body = credentialInput.parse(await readJson(req));
  const { id } = await storeCredential({ ...body, ownerId: principal.user.id });
  await recordAudit({ actor: principal, action: "credential.create", target: id, detail: { kind: body.kind, label: body.label }, ip });
  return Response.json({ id }, { status: 201 });
});
