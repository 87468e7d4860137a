import { requireUser } from "@/lib/auth/require-user";
import { roleAtLeast } from "@/lib/auth/roles";
import { listRunnableModels } from "@/lib/models/list-runnable-models";
import { PlaygroundClient } from "./playground-client";

export default async function Page({ searchParams }: { searchParams: Promise<{ model?: string | string[] }> }) {
  const { user } = await requireUser();
  const { model } = await searchParams;
  return (
    <>
      <h1>Playground</h1>
      <PlaygroundClient models={await listRunnableModels({ user })} canChat={roleAtLeast(user.role, "member")} initialModel={typeof model === "string" ? model : undefined} />
    </>
  );
}
