import { config } from "../lib/config/env";

/** The CLI's HTTP client for a running server: DEPOT_URL + Bearer DEPOT_API_KEY. */
export async function serverApi<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const cfg = config();
  if (!cfg.DEPOT_API_KEY) throw new Error("set DEPOT_API_KEY (Settings → API keys) to talk to the server");
  const res = await fetch(new URL(path, cfg.DEPOT_URL), {
    method: init?.method ?? (init?.body === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${cfg.DEPOT_API_KEY}`, ...(init?.body === undefined ? {} : { "content-type": "application/json" }) },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  }).catch((err: unknown) => {
    throw new Error(`cannot reach ${cfg.DEPOT_URL}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `${path} answered ${res.status}`);
  return json as T;
}
