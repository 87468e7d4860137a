import { recordAudit } from "@/lib/audit/record-audit";
import { config } from "@/lib/config/env";
import { credentialInput, listCredentials, storeCredential } from "@/lib/credentials/store-credential";
import { withRole, readJson } from "@/lib/http/route";
import { checkHubToken } from "@/lib/sources/hf";

export const GET = withRole("admin", async ({ principal }) => Response.json({ credentials: await listCredentials(principal.user) }));

export const POST = withRole("admin", async ({ req, principal, ip }) => {
  const body = credentialInput.parse(await readJson(req));
  // A token the Hub rejects is refused here, so it is never saved and offered later.
  if (body.kind === "hf_token") await checkHubToken({ token: body.value, hubUrl: config().HF_ENDPOINT });
  const { id } = await storeCredential({ ...body, ownerId: principal.user.id });
  await recordAudit({ actor: principal, action: "credential.create", target: id, detail: { kind: body.kind, label: body.label }, ip });
  return Response.json({ id }, { status: 201 });
});
