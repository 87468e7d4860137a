"use client";
import Link from "next/link";
import { useState } from "react";
import { api } from "@/components/api";
import { WorkerSelect } from "@/components/worker-select";

/**
 * Puts a model into another worker's store too, so inference can run there: a Hugging Face model is downloaded
 * again there, a conversion is made again there from its source (which that worker must hold).
 */
export function CopyToWorker({ how, holders }: { how: { title: string; url: string; body: Record<string, string | string[]> }; holders: string[] }) {
  const [storeId, setStoreId] = useState("");
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ text: string; jobId?: string; error?: boolean } | null>(null);
  const start = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const r = await api<{ jobId: string }>(how.url, { body: { ...how.body, storeId } });
      setMsg({ text: "started", jobId: r.jobId });
      setStoreId("");
    } catch (e) {
      setMsg({ text: (e as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h2>{how.title}</h2>
      <div className="row">
        <WorkerSelect aria-label="worker to copy to" value={storeId} onChange={setStoreId} exclude={holders} anyLabel="choose a worker" />
        <button disabled={!storeId || busy} onClick={() => void start()}>Start there</button>
        {msg && (
          <span className={msg.error ? "error" : "muted"} role={msg.error ? "alert" : "status"} data-testid="copy-message">
            {msg.text}
            {msg.jobId && <> (job <Link href="/jobs" className="mono">{msg.jobId}</Link>)</>}
          </span>
        )}
      </div>
    </>
  );
}
