"use client";

/** Browser-side JSON fetch against our own API; throws the server's error message. */
export async function api<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? (init?.body === undefined ? "GET" : "POST"),
    headers: init?.body === undefined ? undefined : { "content-type": "application/json" },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) {
    // An expired session sends the user to sign in; a wrong password on the sign-in form stays on the form.
    if (json.error?.code === "unauthorized" && typeof window !== "undefined") window.location.href = "/login";
    throw new Error(json.error?.message ?? `request failed with ${res.status}`);
  }
  return json as T;
}
