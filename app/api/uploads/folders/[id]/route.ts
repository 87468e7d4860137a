import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { folderDto, getFolderUpload, removeFolderUpload } from "@/lib/uploads/folder-upload";

/** Each file's bytes on the server: where a resumed folder upload continues. */
export const GET = withRole<{ id: string }>("member", async ({ params, principal }) => {
  return Response.json({ folder: await folderDto(await getFolderUpload(params.id, principal.user)) });
});

/** Cancels the folder upload and deletes every file received. */
export const DELETE = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  const f = await getFolderUpload(params.id, principal.user);
  await removeFolderUpload(f);
  await recordAudit({ actor: principal, action: "upload.cancel", target: f.id, detail: { name: f.name }, ip });
  return Response.json({ cancelled: f.id });
});
