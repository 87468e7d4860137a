"use client";
import { useState, type FormEvent } from "react";
import { api } from "@/components/api";
import { CopyButton } from "@/components/copy-button";
import { useAction, useFeedback } from "@/components/feedback";
import { LocalTime } from "@/components/local-time";
import { usePoll } from "@/components/use-poll";

type Key = { id: string; name: string; prefix: string; user: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };

export function ApiKeysPanel() {
  const { data, refresh } = usePoll<{ keys: Key[] }>("/api/api-keys", { keys: [] }, 5000);
  const act = useAction();
  const { confirm } = useFeedback();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = String(new FormData(form).get("name"));
    const r = await act(() => api<{ key: string }>("/api/api-keys", { body: { name } }), `created API key ${name}: copy it now, it is shown once`);
    if (r) {
      setCreated({ name, key: r.key });
      form.reset();
      refresh();
    }
  };
  const revoke = async (k: Key) => {
    const ok = await confirm({ title: `Revoke API key ${k.name}?`, body: `Clients using ${k.prefix}… stop working at once. This cannot be undone.`, confirmLabel: "Revoke" });
    if (ok && (await act(() => api(`/api/api-keys/${k.id}`, { method: "DELETE" }), `revoked ${k.name}`))) refresh();
  };
  return (
    <>
      <h2>API keys</h2>
      <p className="muted">For the CLI and the OpenAI-compatible API (<code>Authorization: Bearer …</code>).</p>
      {created && (
        <div className="notice row" role="status">
          <span>New key {created.name} (shown once):</span>
          <code data-testid="new-api-key">{created.key}</code>
          <CopyButton text={created.key} what="API key" />
        </div>
      )}
      <table>
        <thead><tr><th>name</th><th>prefix</th><th>user</th><th>last used</th><th></th></tr></thead>
        <tbody>
          {data.keys.map((k) => (
            <tr key={k.id} data-key={k.name}>
              <td>{k.name}</td>
              <td className="mono">{k.prefix}…</td>
              <td>{k.user}</td>
              <td className="muted">{k.revokedAt ? "revoked" : k.lastUsedAt ? <LocalTime at={k.lastUsedAt} /> : "never"}</td>
              <td>{!k.revokedAt && <button className="danger" onClick={() => void revoke(k)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row fields" aria-label="new API key" onSubmit={(e) => void create(e)}>
        <label className="field">Key name<input name="name" placeholder="e.g. laptop CLI" autoComplete="off" required /></label>
        <button type="submit">Create API key</button>
      </form>
    </>
  );
}
