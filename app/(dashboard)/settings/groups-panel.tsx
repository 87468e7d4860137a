"use client";
import type { FormEvent } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import { usePoll } from "@/components/use-poll";
import type { GroupDto } from "@/lib/access/groups";
import type { UserDto } from "@/lib/users/create-user";

/** Groups and their members; `users` is the Settings page's own user list, so a just-created user is offered here. */
export function GroupsPanel({ users }: { users: UserDto[] }) {
  const { data, refresh } = usePoll<{ groups: GroupDto[] }>("/api/groups", { groups: [] }, 5000);
  const act = useAction();
  const { confirm } = useFeedback();
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = String(new FormData(form).get("name"));
    if (await act(() => api("/api/groups", { body: { name } }), `created group ${name}`)) {
      form.reset();
      refresh();
    }
  };
  const toggle = async (g: GroupDto, u: UserDto, on: boolean) => {
    const ids = new Set(g.members.map((m) => m.id));
    if (on) ids.add(u.id);
    else ids.delete(u.id);
    await act(() => api(`/api/groups/${g.id}`, { method: "PATCH", body: { memberIds: [...ids] } }), `${u.email} ${on ? "added to" : "removed from"} ${g.name}`);
    refresh();
  };
  const remove = async (g: GroupDto) => {
    const shared = g.models.length > 0 ? ` Its ${g.models.length} shared model(s) become visible to everyone who could see them before sharing.` : "";
    const ok = await confirm({ title: `Delete group ${g.name}?`, body: `Its members lose what was shared with the group.${shared}`, confirmLabel: "Delete group" });
    if (ok && (await act(() => api(`/api/groups/${g.id}`, { method: "DELETE" }), `deleted group ${g.name}`))) refresh();
  };
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
                      <input type="checkbox" aria-label={`${u.email} in ${g.name}`} checked={g.members.some((m) => m.id === u.id)} onChange={(e) => void toggle(g, u, e.target.checked)} /> {u.email}
                    </label>
                  ))}
                </div>
              </td>
              <td className="muted">{g.models.map((m) => m.name).join(", ") || "–"}</td>
              <td><button className="danger" onClick={() => void remove(g)}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.groups.length === 0 && <p className="muted">No groups yet: every model is visible to every user.</p>}
      <form className="row fields" aria-label="new group" onSubmit={(e) => void create(e)}>
        <label className="field">Group name<input name="name" autoComplete="off" required /></label>
        <button type="submit">Create group</button>
      </form>
    </>
  );
}
