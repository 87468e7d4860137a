"use client";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { ProgressBar } from "@/components/progress-bar";
import { usePoll } from "@/components/use-poll";
import type { RunSummaryDto } from "@/lib/runs/run-dto";

export function RunsList({ initial }: { initial: RunSummaryDto[] }) {
  const { data } = usePoll<{ runs: RunSummaryDto[] }>("/api/runs", { runs: initial }, 2000);
  if (data.runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <table>
      <thead>
        <tr><th>run</th><th>model</th><th>status</th><th>progress</th><th>by</th><th>created</th></tr>
      </thead>
      <tbody>
        {data.runs.map((r) => {
          const done = r.counts.completed + r.counts.failed + r.counts.cancelled;
          return (
            <tr key={r.id} data-run-id={r.id}>
              <td><Link href={`/runs/${r.id}`}>{r.name}</Link></td>
              <td className="muted">{r.modelName} · {r.mode}</td>
              <td><span className={`status ${r.status}`}>{r.status}</span></td>
              <td>
                <ProgressBar pct={r.total ? (done / r.total) * 100 : 0} label={`progress of ${r.name}`} />
                <div className="muted">{done}/{r.total}{r.counts.failed ? ` · ${r.counts.failed} failed` : ""}</div>
              </td>
              <td className="muted">{r.createdBy ?? "–"}</td>
              <td className="muted"><LocalTime at={r.createdAt} /></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
