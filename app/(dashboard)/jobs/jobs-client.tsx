"use client";
import { useState } from "react";
import { api } from "@/components/api";
import { formatBytes, formatDuration } from "@/components/format";
import { LocalTime } from "@/components/local-time";
import { ProgressBar } from "@/components/progress-bar";
import { usePoll } from "@/components/use-poll";
import type { JobDto } from "@/lib/jobs/job-dto";
import { JOB_STATUSES, QUEUES } from "@/lib/queue/names";

export function JobsClient({ initial, role, email }: { initial: JobDto[]; role: string; email: string }) {
  const [queue, setQueue] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const qs = new URLSearchParams({ ...(queue ? { queue } : {}), ...(status ? { status } : {}) }).toString();
  const { data, refresh } = usePoll<{ jobs: JobDto[] }>(`/api/jobs?${qs}`, { jobs: initial }, 1000);
  const act = async (path: string, method = "POST") => {
    setError(null);
    try {
      await api(path, { method, body: method === "POST" ? {} : undefined });
      refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  // The server enforces it (lib/jobs/job-actions.ts): a job's owner and admins act on it.
  const canAct = (j: JobDto) => role === "admin" || (role !== "viewer" && j.user === email);
  return (
    <>
      <div className="row" style={{ marginBottom: 12 }}>
        <select aria-label="queue filter" value={queue} onChange={(e) => setQueue(e.target.value)}>
          <option value="">all queues</option>
          {QUEUES.map((q) => <option key={q}>{q}</option>)}
        </select>
        <select aria-label="status filter" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">all statuses</option>
          {JOB_STATUSES.map((s) => <option key={s}>{s}</option>)}
        </select>
        {error && <span className="error" role="alert">{error}</span>}
      </div>
      <table>
        <thead>
          <tr>
            <th>job</th><th>status</th><th>progress</th><th>attempts</th><th>by</th><th>created</th><th>error</th><th></th>
          </tr>
        </thead>
        <tbody>
          {data.jobs.map((j) => (
            <tr key={j.id} data-job-id={j.id} data-status={j.status}>
              <td>
                <div>{j.queue} · {j.kind}</div>
                <div className="muted mono">{j.id}</div>
              </td>
              <td>
                <span className={`status ${j.status}`}>{j.status}</span>
                {j.blockedReason && <div className="muted" data-testid="blocked-reason">{j.blockedReason}</div>}
              </td>
              <td>
                <ProgressBar pct={j.progress} label={`progress of ${j.id}`} />
                <div className="muted" data-testid="progress-text">
                  {Math.round(j.progress)}%
                  {j.detail?.speedBps ? ` · ${formatBytes(j.detail.speedBps)}/s · ETA ${formatDuration(j.detail.etaSeconds)}` : ""}
                  {j.detail?.message ? ` · ${j.detail.message}` : ""}
                </div>
              </td>
              <td data-testid="attempts">{j.attempts}</td>
              <td className="muted">{j.user ?? "–"}</td>
              <td className="muted"><LocalTime at={j.createdAt} timeOnly /></td>
              <td className="error">{j.error}</td>
              <td>
                <div className="row">
                  {canAct(j) && j.kind !== "generate" && ["failed", "cancelled"].includes(j.status) && <button className="secondary" onClick={() => act(`/api/jobs/${j.id}/retry`)}>Retry</button>}
                  {canAct(j) && ["waiting", "active", "delayed"].includes(j.status) && <button className="secondary" onClick={() => act(`/api/jobs/${j.id}/cancel`)}>Cancel</button>}
                  {role === "admin" && j.status !== "active" && <button className="danger" onClick={() => act(`/api/jobs/${j.id}`, "DELETE")}>Remove</button>}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.jobs.length === 0 && <p className="muted">No jobs yet.</p>}
    </>
  );
}
