import { requireUser } from "@/lib/auth/require-user";
import { listCredentials } from "@/lib/credentials/store-credential";
import { listDownloads } from "@/lib/models/list-downloads";
import { metaCatalogDto } from "@/lib/sources/meta";
import { DownloadsClient } from "./downloads-client";

export default async function Page() {
  const { user } = await requireUser();
  // Members pick a saved token by its label and masked hint; the secret itself never leaves the server.
  const tokens = user.role === "viewer" ? [] : (await listCredentials(user)).filter((c) => c.kind === "hf_token").map((c) => ({ id: c.id, label: c.label, hint: c.hint }));
  return (
    <>
      <h1>Downloads</h1>
      <DownloadsClient initial={await listDownloads({ user })} catalog={metaCatalogDto()} tokens={tokens} role={user.role} />
    </>
  );
}
