"use client";
import { useState } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import { formatBytes } from "@/components/format";
import { usePoll } from "@/components/use-poll";

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

/** Garbage collection, and an echo job that checks the queue → worker → Jobs page pipeline end to end. */
export function MaintenancePanel() {
  const act = useAction();
  const { confirm } = useFeedback();
  const [jobs, setJobs] = useState<{ id: string; workers: string[] }[]>([]);
  const [seconds, setSeconds] = useState(5);
  const gc = async (dryRun: boolean) => {
    if (!dryRun && !(await confirm({ title: "Collect garbage now?", body: "Deletes the files the dry run lists, in every online worker's store. They cannot be recovered.", confirmLabel: "Collect garbage" }))) return;
    const r = await act(() => api<{ jobs: { id: string; workers: string[] }[] }>("/api/maintenance/gc", { body: { dryRun } }), (r) => `${dryRun ? "dry run" : "garbage collection"} queued on ${r.jobs.length} store(s)`);
    if (r) setJobs(r.jobs);
  };
  const echo = () => act(() => api<{ id: string }>("/api/jobs", { body: { seconds, message: "hello from the dashboard" } }), (r) => `queued ${r.id}: follow it on the Jobs page`);
  return (
    <>
      <h2>Garbage collection</h2>
      <p className="muted">Garbage collection removes partial downloads and temp files of finished or deleted models, folders no model owns, and hub-cache blobs no snapshot links to, in every online worker&apos;s model store. Partials of downloads that can still resume are kept. It also runs daily.</p>
      <div className="row">
        <button className="secondary" onClick={() => void gc(true)}>Find garbage (dry run)</button>
        <button className="danger" onClick={() => void gc(false)}>Collect garbage</button>
      </div>
      {jobs.map((j) => <GcResult key={j.id} id={j.id} workers={j.workers} />)}

      <h2>Diagnostics</h2>
      <p className="muted">An echo job runs on a worker for the given time, reporting progress: a check that the queue, the workers and the Jobs page work.</p>
      <div className="row fields">
        <label className="field">Echo job length (seconds)<input name="echoSeconds" type="number" min={0} max={3600} value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} /></label>
        <button onClick={() => void echo()}>Enqueue echo job</button>
      </div>
    </>
  );
}
