"use client";
import { useState } from "react";
import { LocalTime } from "@/components/local-time";
import { usePoll } from "@/components/use-poll";
import type { AuditDto } from "@/lib/audit/list-audit";

export function AuditClient({ initial }: { initial: AuditDto[] }) {
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [since, setSince] = useState("");
  const qs = new URLSearchParams({
    ...(action ? { action } : {}),
    ...(actor ? { actor } : {}),
    ...(since ? { since: new Date(since).toISOString() } : {}),
  }).toString();
  const { data } = usePoll<{ events: AuditDto[] }>(`/api/audit?${qs}`, { events: initial }, 2000);
  return (
    <>
      <div className="row" style={{ marginBottom: 12 }}>
        <input aria-label="action filter" placeholder="action, e.g. model. or auth.login" value={action} onChange={(e) => setAction(e.target.value)} />
        <input aria-label="actor filter" placeholder="actor email" value={actor} onChange={(e) => setActor(e.target.value)} />
        <label className="muted">
          since <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <a className="button" href={`/api/audit?${qs}${qs ? "&" : ""}format=csv&limit=10000`} download="audit.csv">
          Export CSV
        </a>
      </div>
      <table>
        <thead>
          <tr><th>time</th><th>actor</th><th>action</th><th>target</th><th>detail</th><th>ip</th></tr>
        </thead>
        <tbody>
          {data.events.map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td className="muted"><LocalTime at={e.at} /></td>
              <td>{e.actor}</td>
              <td className="mono">{e.action}</td>
              <td className="mono">{e.target}</td>
              <td className="mono muted">{e.detail}</td>
              <td className="muted">{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.events.length === 0 && <p className="muted">No events match.</p>}
    </>
  );
}
