import { createApiKey } from "../../lib/auth/api-keys";
import type { Role } from "../../lib/auth/roles";
import { createUser } from "../../lib/users/create-user";
import { TEST_PASSWORD } from "../helpers/http-client";

// Route handlers called in this process with a real Request (an API key as the client sends it), the real
// database and Redis: the server-side checks run as under `next start`, without needing a production build.

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type Caller = { id: string; key: string };

export async function userWithKey(email: string, role: Role): Promise<Caller> {
  const user = await createUser({ email, name: email.split("@")[0]!, password: TEST_PASSWORD, role });
  return { id: user.id, key: (await createApiKey({ userId: user.id, name: "test" })).key };
}

export async function call(handler: Handler, who: Caller, method: string, params: Record<string, string> = {}, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${who.key}`, "content-type": "application/json" } };
  if (method !== "GET") init.body = JSON.stringify(body ?? {});
  return handler(new Request("http://127.0.0.1/api/test", init), { params: Promise.resolve(params) });
}
