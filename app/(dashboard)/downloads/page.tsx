import { requireUser } from "@/lib/auth/require-user";
import { listCredentials } from "@/lib/credentials/store-credential";
import { listDownloads } from "@/lib/models/list-downloads";
import { META_CATALOG } from "@/lib/sources/meta";
import { DownloadsClient } from "./downloads-client";

export default async function Page() {
  const { user } = await requireUser();
  // Members pick a saved token by its label and masked hint; the secret itself never leaves the server.
  const tokens = user.role === "viewer" ? [] : (await listCredentials(user)).filter((c) => c.kind === "hf_token").map((c) => ({ id: c.id, label: c.label, hint: c.hint }));
  const catalog = META_CATALOG["llama-2"]!.models.map((m) => ({ id: m.id, folder: m.folder, shards: m.files.length - 1 }));
  return (
    <>
      <h1>Downloads</h1>
      <DownloadsClient initial={await listDownloads({ user })} catalog={catalog} tokens={tokens} role={user.role} />
    </>
  );
}
