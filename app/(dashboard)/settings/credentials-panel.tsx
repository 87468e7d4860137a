"use client";
import type { FormEvent } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import { LocalTime } from "@/components/local-time";
import { usePoll } from "@/components/use-poll";
import type { CredentialDto } from "@/lib/credentials/store-credential";
import type { TokenTest } from "@/lib/credentials/test-credential";

export function CredentialsPanel() {
  const { data, refresh } = usePoll<{ credentials: CredentialDto[] }>("/api/credentials", { credentials: [] }, 5000);
  const act = useAction();
  const { toast, confirm } = useFeedback();
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const label = String(f.get("label"));
    if (await act(() => api("/api/credentials", { body: { kind: f.get("kind"), label, value: f.get("value") } }), `saved ${label}`)) {
      form.reset();
      refresh();
    }
  };
  // A refused token is an answer (ok: false), shown as an error toast like a failed request.
  const test = async (c: CredentialDto) => {
    try {
      const t = await api<TokenTest>(`/api/credentials/${c.id}/test`, { body: {} });
      if (t.ok) toast(`${c.label} works: the Hub knows it as ${t.account}${t.role ? ` (${t.role} access)` : ""}`);
      else toast(`${c.label}: ${t.reason}`, "error");
    } catch (err) {
      toast((err as Error).message, "error");
    }
  };
  const remove = async (c: CredentialDto) => {
    const ok = await confirm({ title: `Delete credential ${c.label}?`, body: "Downloads that use it can no longer resume until a new one is saved.", confirmLabel: "Delete credential" });
    if (ok && (await act(() => api(`/api/credentials/${c.id}`, { method: "DELETE" }), `deleted ${c.label}`))) refresh();
  };
  return (
    <>
      <h2>Credentials</h2>
      <p className="muted">Hugging Face tokens and Meta signed URLs, encrypted at rest. Only a masked hint is ever shown again.</p>
      <table>
        <thead><tr><th>label</th><th>kind</th><th>value</th><th>expires</th><th>owner</th><th></th></tr></thead>
        <tbody>
          {data.credentials.map((c) => (
            <tr key={c.id} data-credential={c.label}>
              <td>{c.label}</td><td>{c.kind}</td><td className="mono">{c.hint}</td>
              <td>{c.expiresAt ? <LocalTime at={c.expiresAt} /> : "–"}</td><td>{c.owner}</td>
              <td>
                <div className="row">
                  {c.kind === "hf_token" && <button className="secondary" onClick={() => void test(c)}>Test</button>}
                  <button className="danger" onClick={() => void remove(c)}>Delete</button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.credentials.length === 0 && <p className="muted">No credentials yet. A Hugging Face token is needed for gated models such as Meta&apos;s Llama.</p>}
      <form className="row fields" aria-label="new credential" onSubmit={(e) => void create(e)}>
        <label className="field">Kind<select name="kind"><option value="hf_token">Hugging Face token</option></select></label>
        <label className="field">Label<input name="label" autoComplete="off" required /></label>
        <label className="field">Token<input name="value" type="password" placeholder="hf_…" autoComplete="off" required /></label>
        <button type="submit">Save credential</button>
      </form>
    </>
  );
}
