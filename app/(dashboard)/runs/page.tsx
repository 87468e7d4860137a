import { requireUser } from "@/lib/auth/require-user";
import { roleAtLeast } from "@/lib/auth/roles";
import { listRunnableModels } from "@/lib/models/list-runnable-models";
import { listRuns } from "@/lib/runs/list-runs";
import { NewRunForm } from "./new-run-form";
import { RunsList } from "./runs-list";

export default async function Page({ searchParams }: { searchParams: Promise<{ model?: string | string[] }> }) {
  const { user } = await requireUser();
  const { model } = await searchParams;
  const canRun = roleAtLeast(user.role, "member");
  return (
    <>
      <h1>Runs</h1>
      {canRun && (
        <>
          <h2>New run</h2>
          <NewRunForm models={await listRunnableModels({ user })} initialModel={typeof model === "string" ? model : undefined} />
        </>
      )}
      <h2>Runs</h2>
      <RunsList initial={await listRuns({ user })} />
    </>
  );
}
