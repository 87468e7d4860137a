import { nodeTransport, type HttpGet } from "../download/transport";
import { CredentialError } from "./errors";
import { readCredential } from "./read-credential";

/** The Hub's answer about a saved token: whose it is, or why it was refused. Never contains the token. */
export type TokenTest = { ok: true; account: string; role: string | null } | { ok: false; reason: string };

/**
 * Asks the Hub who a saved Hugging Face token belongs to (`/api/whoami-v2`), through the downloads' egress-checked
 * transport, so a test reaches exactly the hosts a download may. A refused token is an answer, not an error.
 */
export async function testCredential(params: { id: string; hubUrl: string; get?: HttpGet }): Promise<TokenTest> {
  const credential = await readCredential(params.id);
  if (credential.kind !== "hf_token") throw new CredentialError("not_testable", "only Hugging Face tokens can be tested against the Hub");
  const url = `${params.hubUrl.replace(/\/$/, "")}/api/whoami-v2`;
  let res;
  try {
    res = await (params.get ?? nodeTransport)(url, { authorization: `Bearer ${credential.value}`, accept: "application/json" }, AbortSignal.timeout(15_000));
  } catch (err) {
    return { ok: false, reason: `cannot reach the Hub: ${err instanceof Error ? err.message : String(err)}` };
  }
  const body = await res.text();
  if (res.status === 401) return { ok: false, reason: "the Hub rejected this token (invalid, expired or revoked)" };
  if (res.status !== 200) return { ok: false, reason: `the Hub answered ${res.status}` };
  try {
    const who = JSON.parse(body) as { name?: unknown; auth?: { accessToken?: { role?: unknown } } };
    if (typeof who.name !== "string") throw new Error("no account name");
    const role = who.auth?.accessToken?.role;
    return { ok: true, account: who.name, role: typeof role === "string" ? role : null };
  } catch {
    return { ok: false, reason: "the Hub sent an answer that is not an account" };
  }
}
