import { requireUser } from "@/lib/auth/require-user";
import { listModels } from "@/lib/models/list-models";
import { convertTypes } from "@/lib/queue/payloads";
import { ModelsClient } from "./models-client";

export default async function Page() {
  const { user } = await requireUser();
  return (
    <>
      <h1>Models</h1>
      <ModelsClient initial={await listModels({ user })} role={user.role} types={[...convertTypes]} />
    </>
  );
}
