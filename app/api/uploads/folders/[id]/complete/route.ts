import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { getModel } from "@/lib/models/get-model";
import { completeFolderUpload } from "@/lib/uploads/complete-folder";
import { getFolderUpload } from "@/lib/uploads/folder-upload";

/** Validates the received folder as a checkpoint and registers it as a model; answers with the model. */
export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  const f = await getFolderUpload(params.id, principal.user);
  const r = await completeFolderUpload(f);
  await recordAudit({ actor: principal, action: "model.upload", target: r.modelId, detail: { name: f.name, form: f.form, bytes: r.bytes, files: r.files }, ip });
  return Response.json({ model: await getModel({ id: r.modelId, user: principal.user }) }, { status: 201 });
});
