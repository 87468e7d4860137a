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
