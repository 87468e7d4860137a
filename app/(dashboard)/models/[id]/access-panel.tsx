"use client";
import { useEffect, useState } from "react";
import { api } from "@/components/api";
import type { GroupDto } from "@/lib/access/groups";

/** Admins choose which groups see this model; none ticked means the whole team. */
export function AccessPanel({ modelId }: { modelId: string }) {
  const [groups, setGroups] = useState<GroupDto[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [msg, setMsg] = useState<string | null>(null);
  useEffect(() => {
    void Promise.all([api<{ groups: GroupDto[] }>("/api/groups"), api<{ groups: { id: string }[] }>(`/api/models/${modelId}/access`)]).then(([all, mine]) => {
      setGroups(all.groups);
      setChosen(new Set(mine.groups.map((g) => g.id)));
    });
  }, [modelId]);
  const save = async () => {
    try {
      const r = await api<{ groups: string[] }>(`/api/models/${modelId}/access`, { method: "PUT", body: { groupIds: [...chosen] } });
      setMsg(r.groups.length ? `shared with ${r.groups.join(", ")}` : "visible to the whole team");
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  return (
    <>
      <h2>Access</h2>
      <p className="muted">Shared with no group, a model is visible to the whole team. Shared with groups, only their members, its creator and admins see and run it.</p>
      {groups.length === 0 && <p className="muted">No groups yet: create them under Settings → Groups.</p>}
      <div className="row">
        {groups.map((g) => (
          <label key={g.id}>
            <input
              type="checkbox"
              aria-label={`share with ${g.name}`}
              checked={chosen.has(g.id)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(g.id);
                else next.delete(g.id);
                setChosen(next);
              }}
            />{" "}
            {g.name}
          </label>
        ))}
        <button onClick={save}>Save access</button>
        {msg && <span className="muted" data-testid="access-message">{msg}</span>}
      </div>
    </>
  );
}
