import { HubApiError, whoAmI } from "@huggingface/hub";
import { HfError } from "./errors";
import { TOKEN_REJECTED } from "./hub-error";

/** Asks the Hub whose token this is; a token it answers with 401 is `token_rejected`, never stored or used. */
export async function checkHubToken(params: { token: string; hubUrl: string; fetch?: typeof fetch }): Promise<{ user: string; role: string | null }> {
  try {
    const me = await whoAmI({ hubUrl: params.hubUrl, fetch: params.fetch, accessToken: params.token });
    return { user: me.name, role: me.auth.accessToken?.role ?? null };
  } catch (err) {
    // @huggingface/hub refuses a token that does not start with hf_ before sending it (a TypeError).
    if ((err instanceof HubApiError && err.statusCode === 401) || (err instanceof TypeError && /access token/i.test(err.message))) {
      throw new HfError("token_rejected", TOKEN_REJECTED);
    }
    if (err instanceof HubApiError) throw err;
    // Not an answer from the Hub (DNS, refused connection, timeout): say so rather than fail with a 500.
    throw new HfError("hub_unreachable", `cannot reach the Hub at ${params.hubUrl} to check this token: ${err instanceof Error ? err.message : String(err)}`, true);
  }
}
