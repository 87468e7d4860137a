import { config } from "@/lib/config/env";
import { usableCredential } from "@/lib/credentials/credential-access";
import { readCredential } from "@/lib/credentials/read-credential";
import { checkEgress } from "@/lib/download/egress";
import { HttpError } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";
import { isHubRepoId } from "@/lib/models/start-hf-download";
import { listGgufs } from "@/lib/sources/hf";

/** The GGUFs of a Hub repo (quant, files, sizes) from its tree listing, for the Downloads page to offer one. */
export const GET = withRole("member", async ({ req, principal }) => {
  const q = new URL(req.url).searchParams;
  const repo = q.get("repo")?.trim() ?? "";
  if (!isHubRepoId(repo)) throw new HttpError(400, "bad_repo", "expected a Hub repo id org/name (letters, digits, -, _, .)");
  const credentialId = q.get("credentialId");
  let token: string | undefined;
  if (credentialId) {
    await usableCredential(credentialId, principal.user.id);
    token = (await readCredential(credentialId)).value;
  }
  const hubUrl = config().HF_ENDPOINT;
  await checkEgress(hubUrl, ["hf"]);
  return Response.json(await listGgufs({ repo, revision: q.get("revision")?.trim() || "main", token, hubUrl }));
});
