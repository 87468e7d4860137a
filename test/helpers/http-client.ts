import type { Role } from "../../lib/auth/roles";
import { createUser } from "../../lib/users/create-user";

export const TEST_PASSWORD = "quartz-ember-tide-42";

/**
 * A tiny cookie-keeping client for tests that act as a browser (Origin header set like a same-site fetch)
 * or as an API client (Bearer key).
 */
export class TestClient {
  private cookie = "";
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.baseUrl + path, {
      method,
      redirect: "manual",
      headers: {
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : { origin: this.baseUrl }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0]!;
    return res;
  }

  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  async login(email: string, password: string): Promise<void> {
    await this.json("POST", "/api/auth/login", { email, password });
  }
}

/** Creates a user with `role` directly in the database and returns a client signed in as them. */
export async function signIn(baseUrl: string, email: string, role: Role): Promise<TestClient> {
  await createUser({ email, name: email.split("@")[0]!, password: TEST_PASSWORD, role });
  const client = new TestClient(baseUrl);
  await client.login(email, TEST_PASSWORD);
  return client;
}
