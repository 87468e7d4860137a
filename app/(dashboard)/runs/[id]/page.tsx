import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/require-user";
import { roleAtLeast } from "@/lib/auth/roles";
import { getRun } from "@/lib/runs/get-run";
import { RunClient } from "./run-client";

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requireUser();
  const run = await getRun({ id: (await params).id });
  if (!run) notFound();
  return (
    <>
      <h1>{run.name}</h1>
      <RunClient initial={run} canAct={roleAtLeast(user.role, "member")} />
    </>
  );
}
