import { HfError, checkHubToken } from "../sources/hf";
import { CredentialError } from "./errors";
import { readCredential } from "./read-credential";

/** The Hub's answer about a saved token: whose it is, or why it was refused. Never contains the token. */
export type TokenTest = { ok: true; account: string; role: string | null } | { ok: false; reason: string };

/**
 * "Test this token": asks the Hub who a saved Hugging Face token belongs to, with the same check a token gets before
 * it is saved (checkHubToken). A refused or unreachable token is an answer, not an error.
 */
export async function testCredential(params: { id: string; hubUrl: string }): Promise<TokenTest> {
  const credential = await readCredential(params.id);
  if (credential.kind !== "hf_token") throw new CredentialError("not_testable", "only Hugging Face tokens can be tested against the Hub");
  try {
    const { user, role } = await checkHubToken({ token: credential.value, hubUrl: params.hubUrl });
    return { ok: true, account: user, role };
  } catch (err) {
    // checkHubToken already names a rejected token and an unreachable Hub; anything else is the Hub failing to answer.
    if (err instanceof HfError) return { ok: false, reason: err.message };
    return { ok: false, reason: `the Hub could not check this token: ${err instanceof Error ? err.message : String(err)}` };
  }
}
