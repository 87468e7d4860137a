"use client";
import type { FormEvent } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import type { UserDto } from "@/lib/users/create-user";

const ROLES = ["viewer", "member", "admin"] as const;

export function UsersPanel({ users, refresh }: { users: UserDto[]; refresh: () => void }) {
  const act = useAction();
  const { confirm } = useFeedback();
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = { email: f.get("email"), name: f.get("name"), password: f.get("password"), role: f.get("role") };
    if (await act(() => api("/api/users", { body }), `created ${String(body.email)}`)) {
      form.reset();
      refresh();
    }
  };
  const update = async (u: UserDto, change: { role?: string; disabled?: boolean }, done: string) => {
    await act(() => api(`/api/users/${u.id}`, { method: "PATCH", body: change }), done);
    refresh();
  };
  const remove = async (u: UserDto) => {
    const ok = await confirm({ title: `Delete ${u.email}?`, body: "Their sessions and API keys stop working. This cannot be undone.", confirmLabel: "Delete user" });
    if (ok && (await act(() => api(`/api/users/${u.id}`, { method: "DELETE" }), `deleted ${u.email}`))) refresh();
  };
  return (
    <>
      <h2>Users</h2>
      <table>
        <thead><tr><th>email</th><th>name</th><th>role</th><th>status</th><th></th></tr></thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-user={u.email}>
              <td>{u.email}</td>
              <td>{u.name}</td>
              <td>
                <select aria-label={`role of ${u.email}`} value={u.role} onChange={(e) => void update(u, { role: e.target.value }, `${u.email} is now ${e.target.value}`)}>
                  {ROLES.map((r) => <option key={r}>{r}</option>)}
                </select>
              </td>
              <td>{u.disabled ? "disabled" : "active"}</td>
              <td>
                <div className="row">
                  <button className="secondary" onClick={() => void update(u, { disabled: !u.disabled }, `${u.email} ${u.disabled ? "enabled" : "disabled"}`)}>
                    {u.disabled ? "Enable" : "Disable"}
                  </button>
                  <button className="danger" onClick={() => void remove(u)}>Delete</button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row fields" aria-label="new user" onSubmit={(e) => void create(e)}>
        <label className="field">Email<input name="email" type="email" autoComplete="off" required /></label>
        <label className="field">Name<input name="name" autoComplete="off" required /></label>
        <label className="field">Initial password<input name="password" type="password" autoComplete="new-password" minLength={8} required /></label>
        <label className="field">Role<select name="role" defaultValue="member">{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <button type="submit">Create user</button>
      </form>
    </>
  );
}
