"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { api } from "@/components/api";
import { ProgressBar } from "@/components/progress-bar";
import { TypeSelect } from "@/components/type-select";
import { WorkerSelect } from "@/components/worker-select";
import { defaultType } from "@/lib/convert/quants/type-notes";
import type { JobDto } from "@/lib/jobs/job-dto";

type Started = { jobId: string; modelId: string; name: string };

/**
 * Quantizes this GGUF model to another file type on a worker that holds it: a conversion job whose output is a new
 * GGUF model derived from this one. Follows the job's progress until it ends.
 */
export function QuantizeAction({ modelId, types, holders }: { modelId: string; types: readonly string[]; holders: string[] }) {
  const [type, setType] = useState(defaultType(types));
  const [storeId, setStoreId] = useState("");
  const [started, setStarted] = useState<Started | null>(null);
  const [job, setJob] = useState<JobDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!started) return;
    let stop = false;
    const t = setInterval(() => {
      api<{ job: JobDto }>(`/api/jobs/${started.jobId}`).then(
        (r) => {
          if (stop) return;
          setJob(r.job);
          if (["completed", "failed", "cancelled"].includes(r.job.status)) clearInterval(t);
        },
        () => {},
      );
    }, 1000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [started]);
  const start = () => {
    setError(null);
    setJob(null);
    api<Started>(`/api/models/${modelId}/convert`, { body: { type, storeId } }).then(setStarted, (e: Error) => setError(e.message));
  };
  return (
    <>
      <h2>Quantize</h2>
      <div className="row">
        <label>File type <TypeSelect label="quantize type" types={types} value={type} onChange={setType} /></label>
        {holders.length > 1 && (
          <label title="Quantizing runs on a worker whose store holds this model; with “any worker holding it” the server picks one that is online.">
            Worker <WorkerSelect aria-label="quantize on worker" value={storeId} onChange={setStoreId} only={holders} anyLabel="any worker holding it" />
          </label>
        )}
        <button onClick={start} disabled={started !== null && !job?.finishedAt}>Quantize</button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {started && (
        <div data-testid="quantize-status" role="status">
          <p className="muted">
            {job?.status ?? "waiting"}: <Link href={`/models/${started.modelId}`}>{started.name}</Link> (job <Link href="/jobs" className="mono">{started.jobId}</Link>)
          </p>
          {job?.status === "active" && <ProgressBar pct={job.progress} label="quantize progress" />}
          {job?.error && <p className="error">{job.error}</p>}
        </div>
      )}
    </>
  );
}
