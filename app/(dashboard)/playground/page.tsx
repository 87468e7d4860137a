import { requireUser } from "@/lib/auth/require-user";
import { roleAtLeast } from "@/lib/auth/roles";
import { listRunnableModels } from "@/lib/models/list-runnable-models";
import { PlaygroundClient } from "./playground-client";

export default async function Page() {
  const { user } = await requireUser();
  return (
    <>
      <h1>Playground</h1>
      <PlaygroundClient models={await listRunnableModels({ user })} canChat={roleAtLeast(user.role, "member")} />
    </>
  );
}
