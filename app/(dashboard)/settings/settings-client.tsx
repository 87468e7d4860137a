"use client";
import { useState, type FormEvent } from "react";
import { api } from "@/components/api";
import { formatBytes } from "@/components/format";
import { usePoll } from "@/components/use-poll";
import type { GroupDto } from "@/lib/access/groups";
import type { CredentialDto } from "@/lib/credentials/store-credential";
import type { UserDto } from "@/lib/users/create-user";

type Key = { id: string; name: string; prefix: string; user: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };
type Me = { id: string; email: string; role: string };

function useAction() {
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return { error, run };
}

function Users() {
  const { data, refresh } = usePoll<{ users: UserDto[] }>("/api/users", { users: [] }, 5000);
  const { error, run } = useAction();
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    void run(async () => {
      await api("/api/users", { body: { email: f.get("email"), name: f.get("name"), password: f.get("password"), role: f.get("role") } });
      form.reset();
      refresh();
    });
  };
  return (
    <>
      <h2>Users</h2>
      <table>
        <thead><tr><th>email</th><th>name</th><th>role</th><th>status</th><th></th></tr></thead>
        <tbody>
          {data.users.map((u) => (
            <tr key={u.id} data-user={u.email}>
              <td>{u.email}</td>
              <td>{u.name}</td>
              <td>
                <select aria-label={`role of ${u.email}`} value={u.role} onChange={(e) => void run(async () => (await api(`/api/users/${u.id}`, { method: "PATCH", body: { role: e.target.value } }), refresh()))}>
                  <option>viewer</option><option>member</option><option>admin</option>
                </select>
              </td>
              <td>{u.disabled ? "disabled" : "active"}</td>
              <td>
                <button className="secondary" onClick={() => void run(async () => (await api(`/api/users/${u.id}`, { method: "PATCH", body: { disabled: !u.disabled } }), refresh()))}>
                  {u.disabled ? "Enable" : "Disable"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" style={{ marginTop: 12 }} onSubmit={create}>
        <input name="email" type="email" placeholder="email" required />
        <input name="name" placeholder="name" required />
        <input name="password" type="password" placeholder="initial password" minLength={8} required />
        <select name="role" defaultValue="member"><option>viewer</option><option>member</option><option>admin</option></select>
        <button type="submit">Create user</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </>
  );
}

function ApiKeys() {
  const { data, refresh } = usePoll<{ keys: Key[] }>("/api/api-keys", { keys: [] }, 5000);
  const { error, run } = useAction();
  const [created, setCreated] = useState<string | null>(null);
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = new FormData(e.currentTarget).get("name");
    void run(async () => {
      const r = await api<{ key: string }>("/api/api-keys", { body: { name } });
      setCreated(r.key);
      refresh();
    });
  };
  return (
    <>
      <h2>API keys</h2>
      {created && (
        <div className="notice">
          New key (shown once): <code data-testid="new-api-key">{created}</code>
        </div>
      )}
      <table>
        <thead><tr><th>name</th><th>prefix</th><th>user</th><th>last used</th><th></th></tr></thead>
        <tbody>
          {data.keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td className="mono">{k.prefix}…</td>
              <td>{k.user}</td>
              <td className="muted">{k.revokedAt ? "revoked" : k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : "never"}</td>
              <td>{!k.revokedAt && <button className="danger" onClick={() => void run(async () => (await api(`/api/api-keys/${k.id}`, { method: "DELETE" }), refresh()))}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" style={{ marginTop: 12 }} onSubmit={create}>
        <input name="name" placeholder="key name, e.g. laptop CLI" required />
        <button type="submit">Create API key</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </>
  );
}

function Credentials() {
  const { data, refresh } = usePoll<{ credentials: CredentialDto[] }>("/api/credentials", { credentials: [] }, 5000);
  const { error, run } = useAction();
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    void run(async () => {
      await api("/api/credentials", { body: { kind: f.get("kind"), label: f.get("label"), value: f.get("value") } });
      form.reset();
      refresh();
    });
  };
  return (
    <>
      <h2>Credentials</h2>
      <p className="muted">Hugging Face tokens and Meta signed URLs, encrypted at rest. Only a masked hint is ever shown again.</p>
      <table>
        <thead><tr><th>label</th><th>kind</th><th>value</th><th>expires</th><th>owner</th><th></th></tr></thead>
        <tbody>
          {data.credentials.map((c) => (
            <tr key={c.id}>
              <td>{c.label}</td><td>{c.kind}</td><td className="mono">{c.hint}</td>
              <td>{c.expiresAt ? new Date(c.expiresAt).toLocaleString() : "–"}</td><td>{c.owner}</td>
              <td><button className="danger" onClick={() => void run(async () => (await api(`/api/credentials/${c.id}`, { method: "DELETE" }), refresh()))}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" style={{ marginTop: 12 }} onSubmit={create}>
        <select name="kind"><option value="hf_token">Hugging Face token</option></select>
        <input name="label" placeholder="label" required />
        <input name="value" type="password" placeholder="hf_…" required />
        <button type="submit">Save credential</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </>
  );
}

function Groups() {
  const { data, refresh } = usePoll<{ groups: GroupDto[] }>("/api/groups", { groups: [] }, 5000);
  const users = usePoll<{ users: UserDto[] }>("/api/users", { users: [] }, 10_000).data.users;
  const { error, run } = useAction();
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = new FormData(form).get("name");
    void run(async () => {
      await api("/api/groups", { body: { name } });
      form.reset();
      refresh();
    });
  };
  const toggle = (g: GroupDto, userId: string, on: boolean) =>
    void run(async () => {
      const ids = new Set(g.members.map((m) => m.id));
      if (on) ids.add(userId);
      else ids.delete(userId);
      await api(`/api/groups/${g.id}`, { method: "PATCH", body: { memberIds: [...ids] } });
      refresh();
    });
  return (
    <>
      <h2>Groups</h2>
      <p className="muted">Share a model with groups on its detail page; members of other groups then cannot see or run it.</p>
      <table>
        <thead><tr><th>group</th><th>members</th><th>models</th><th></th></tr></thead>
        <tbody>
          {data.groups.map((g) => (
            <tr key={g.id} data-group={g.name}>
              <td>{g.name}</td>
              <td>
                <div className="row">
                  {users.map((u) => (
                    <label key={u.id}>
                      <input type="checkbox" aria-label={`${u.email} in ${g.name}`} checked={g.members.some((m) => m.id === u.id)} onChange={(e) => toggle(g, u.id, e.target.checked)} /> {u.email}
                    </label>
                  ))}
                </div>
              </td>
              <td className="muted">{g.models.map((m) => m.name).join(", ") || "–"}</td>
              <td><button className="danger" onClick={() => void run(async () => (await api(`/api/groups/${g.id}`, { method: "DELETE" }), refresh()))}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" style={{ marginTop: 12 }} onSubmit={create}>
        <input name="name" placeholder="group name" required />
        <button type="submit">Create group</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </>
  );
}

type GcReport = { items: { path: string; bytes: number; reason: string }[]; bytesReclaimed: number; dryRun: boolean };

function GcResult({ id, workers }: { id: string; workers: string[] }) {
  const { data } = usePoll<{ job: { status: string; result: GcReport | null; error: string | null } | null }>(`/api/jobs/${id}`, { job: null }, 1000);
  const report = data.job?.status === "completed" ? data.job.result : null;
  const where = workers.length > 0 ? `Store of ${workers.join(", ")}` : "Any worker's store";
  if (!report) return <p className="muted">{where}: {data.job?.error ?? data.job?.status ?? "queued"}…</p>;
  return (
    <div data-testid="gc-report" style={{ marginTop: 12 }}>
      <p>
        {where}: {report.dryRun ? "would reclaim" : "reclaimed"} <strong>{formatBytes(report.bytesReclaimed)}</strong> in {report.items.length} items.
      </p>
      {report.items.length > 0 && (
        <table>
          <thead><tr><th>path</th><th>size</th><th>why</th></tr></thead>
          <tbody>
            {report.items.map((i) => (
              <tr key={i.path}><td className="mono">{i.path}</td><td>{formatBytes(i.bytes)}</td><td className="muted">{i.reason}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Maintenance() {
  const { error, run } = useAction();
  const [jobs, setJobs] = useState<{ id: string; workers: string[] }[]>([]);
  const start = (dryRun: boolean) =>
    void run(async () => setJobs((await api<{ jobs: { id: string; workers: string[] }[] }>("/api/maintenance/gc", { body: { dryRun } })).jobs));
  return (
    <>
      <h2>Maintenance</h2>
      <p className="muted">Garbage collection removes partial downloads and temp files of finished or deleted models, folders no model owns, and hub-cache blobs no snapshot links to, in every online worker&apos;s model store. Partials of downloads that can still resume are kept. It also runs daily.</p>
      <div className="row">
        <button className="secondary" onClick={() => start(true)}>Find garbage (dry run)</button>
        <button className="danger" onClick={() => start(false)}>Collect garbage</button>
      </div>
      {jobs.map((j) => <GcResult key={j.id} id={j.id} workers={j.workers} />)}
      {error && <p className="error" role="alert">{error}</p>}
    </>
  );
}

export function SettingsClient({ me }: { me: Me }) {
  return (
    <>
      <p className="muted">Signed in as {me.email} ({me.role}).</p>
      <ApiKeys />
      {me.role === "admin" && (
        <>
          <Users />
          <Groups />
          <Credentials />
          <Maintenance />
        </>
      )}
    </>
  );
}
