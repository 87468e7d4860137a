import { listAudit } from "@/lib/audit/list-audit";
import { requireRole } from "@/lib/auth/require-user";
import { AuditClient } from "./audit-client";

export default async function AuditPage() {
  await requireRole("admin");
  return (
    <>
      <h1>Audit log</h1>
      <AuditClient initial={await listAudit({})} />
    </>
  );
}
