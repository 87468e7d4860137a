import { notFound } from "next/navigation";
import { assertRunVisible } from "@/lib/access/model-access";
import { requireUser } from "@/lib/auth/require-user";
import { roleAtLeast } from "@/lib/auth/roles";
import { getRun } from "@/lib/runs/get-run";
import { RunClient } from "./run-client";

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requireUser();
  const { id } = await params;
  const visible = await assertRunVisible(user, id).then(() => true, () => false);
  const run = visible ? await getRun({ id }) : null;
  if (!run) notFound();
  return (
    <>
      <h1>{run.name}</h1>
      <RunClient initial={run} canAct={user.role === "admin" || (roleAtLeast(user.role, "member") && run.createdBy === user.email)} />
    </>
  );
}
