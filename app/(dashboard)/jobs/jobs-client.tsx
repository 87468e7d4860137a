"use client";
import Link from "next/link";
import { Fragment, useState } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import { formatBytes, formatDuration } from "@/components/format";
import { LocalTime } from "@/components/local-time";
import { ProgressBar } from "@/components/progress-bar";
import { usePoll } from "@/components/use-poll";
import type { JobDto } from "@/lib/jobs/job-dto";
import { JOB_STATUSES, QUEUES } from "@/lib/queue/names";

const UNFINISHED = ["waiting", "active", "delayed"];

/** Rows in list order, a run's items folded into one group row where the run's first item was. */
type Entry = { job: JobDto } | { run: { id: string; name: string }; jobs: JobDto[] };
function group(jobs: JobDto[]): Entry[] {
  const entries: Entry[] = [];
  const runs = new Map<string, JobDto[]>();
  for (const j of jobs) {
    if (!j.run) {
      entries.push({ job: j });
      continue;
    }
    const items = runs.get(j.run.id);
    if (items) items.push(j);
    else {
      const fresh = [j];
      runs.set(j.run.id, fresh);
      entries.push({ run: j.run, jobs: fresh });
    }
  }
  return entries;
}

function counts(jobs: JobDto[]): string {
  const by = new Map<string, number>();
  for (const j of jobs) by.set(j.status, (by.get(j.status) ?? 0) + 1);
  return [...by].map(([s, n]) => `${n} ${s}`).join(", ");
}

export function JobsClient({ initial, role, email }: { initial: JobDto[]; role: string; email: string }) {
  const [queue, setQueue] = useState("");
  const [status, setStatus] = useState("");
  const [open, setOpen] = useState<Set<string>>(new Set());
  const qs = new URLSearchParams({ ...(queue ? { queue } : {}), ...(status ? { status } : {}) }).toString();
  const { data, refresh } = usePoll<{ jobs: JobDto[] }>(`/api/jobs?${qs}`, { jobs: initial }, 1000);
  const { confirm } = useFeedback();
  const run = useAction();
  const act = async (j: JobDto, what: "retry" | "cancel" | "remove") => {
    if (what === "cancel" && !(await confirm({ title: `Cancel ${j.title}?`, body: j.status === "active" ? "The worker stops it; its partial work is kept where it can be resumed." : "It is taken off the queue.", confirmLabel: "Cancel job" }))) return;
    if (what === "remove" && !(await confirm({ title: `Remove ${j.title} from the list?`, body: "Its record and error are forgotten; the model or run it made stays.", confirmLabel: "Remove" }))) return;
    const [path, method] = what === "remove" ? [`/api/jobs/${j.id}`, "DELETE"] : [`/api/jobs/${j.id}/${what}`, "POST"];
    await run(() => api(path, { method, body: method === "POST" ? {} : undefined }), { retry: `retrying ${j.title}`, cancel: `cancelled ${j.title}`, remove: `removed ${j.title}` }[what]);
    refresh();
  };
  // The server enforces it (lib/jobs/job-actions.ts): a job's owner and admins act on it.
  const canAct = (j: JobDto) => role === "admin" || (role !== "viewer" && j.user === email);
  const row = (j: JobDto, nested = false) => (
    <tr key={j.id} data-job-id={j.id} data-status={j.status} className={nested ? "job-item" : undefined}>
      <td data-label="job">
        <div data-testid="job-title">{j.title}</div>
        <div className="muted mono">{j.queue} · {j.id}</div>
      </td>
      <td data-label="status">
        <span className={`status ${j.status}`}>{j.status}</span>
        {j.blockedReason && <div className="muted" data-testid="blocked-reason">{j.blockedReason}</div>}
      </td>
      <td data-label="progress">
        <ProgressBar pct={j.progress} label={`progress of ${j.id}`} />
        <div className="muted" data-testid="progress-text">
          {Math.round(j.progress)}%
          {/* Speed and ETA only while it runs: a finished job's last report would read "ETA 0s". */}
          {UNFINISHED.includes(j.status) && j.detail?.speedBps ? ` · ${formatBytes(j.detail.speedBps)}/s · ETA ${formatDuration(j.detail.etaSeconds)}` : ""}
          {j.detail?.message ? ` · ${j.detail.message}` : ""}
        </div>
      </td>
      <td data-label="attempts" data-testid="attempts">{j.attempts}</td>
      <td data-label="by" className="muted">{j.user ?? "–"}</td>
      <td data-label="created" className="muted"><LocalTime at={j.createdAt} />{j.finishedAt && <div>ended <LocalTime at={j.finishedAt} /></div>}</td>
      <td data-label="error" className="error">{j.error}</td>
      <td>
        <div className="row">
          {canAct(j) && j.kind !== "generate" && ["failed", "cancelled"].includes(j.status) && <button className="secondary" onClick={() => void act(j, "retry")}>Retry</button>}
          {canAct(j) && UNFINISHED.includes(j.status) && <button className="secondary" onClick={() => void act(j, "cancel")}>Cancel</button>}
          {role === "admin" && j.status !== "active" && <button className="danger" onClick={() => void act(j, "remove")}>Remove</button>}
        </div>
      </td>
    </tr>
  );
  return (
    <div className="jobs-page">
      <div className="row" style={{ marginBottom: 12 }}>
        <label>
          Queue{" "}
          <select aria-label="queue filter" value={queue} onChange={(e) => setQueue(e.target.value)}>
            <option value="">all queues</option>
            {QUEUES.map((q) => <option key={q}>{q}</option>)}
          </select>
        </label>
        <label>
          Status{" "}
          <select aria-label="status filter" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all statuses</option>
            {JOB_STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      </div>
      <table className="card-table" aria-label="jobs">
        <thead>
          <tr>
            <th>job</th><th>status</th><th>progress</th><th>attempts</th><th>by</th><th>created</th><th>error</th><th><span className="sr-only">actions</span></th>
          </tr>
        </thead>
        <tbody>
          {group(data.jobs).map((e) => {
            if ("job" in e) return row(e.job);
            const expanded = open.has(e.run.id);
            const done = e.jobs.filter((j) => !UNFINISHED.includes(j.status)).length;
            return (
              <Fragment key={`run-${e.run.id}`}>
                <tr className="job-run" data-run-id={e.run.id}>
                  <td data-label="run" colSpan={2}>
                    <button
                      className="link job-run-toggle"
                      aria-expanded={expanded}
                      onClick={() => setOpen((s) => (s.has(e.run.id) ? new Set([...s].filter((x) => x !== e.run.id)) : new Set([...s, e.run.id])))}
                    >
                      {expanded ? "▾" : "▸"} run {e.run.name}
                    </button>
                    <div className="muted" data-testid="run-counts">{e.jobs.length} items: {counts(e.jobs)}</div>
                  </td>
                  <td data-label="progress" colSpan={6}>
                    <ProgressBar pct={(done / e.jobs.length) * 100} label={`items of run ${e.run.name} finished`} />
                    <Link className="muted" href={`/runs/${e.run.id}`}>open the run</Link>
                  </td>
                </tr>
                {expanded && e.jobs.map((j) => row(j, true))}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {data.jobs.length === 0 && <p className="muted">No jobs yet.</p>}
    </div>
  );
}
