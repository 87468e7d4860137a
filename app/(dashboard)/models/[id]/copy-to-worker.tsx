"use client";
import Link from "next/link";
import { useState } from "react";
import { api } from "@/components/api";
import { WorkerSelect } from "@/components/worker-select";

/** Downloads a Hugging Face model again into another worker's store, so inference can run there too. */
export function CopyToWorker({ repo, revision, holders }: { repo: string; revision: string; holders: string[] }) {
  const [storeId, setStoreId] = useState("");
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ text: string; jobId?: string; error?: boolean } | null>(null);
  const start = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const r = await api<{ jobId: string }>("/api/downloads/hf", { body: { repo, revision, storeId } });
      setMsg({ text: "download started", jobId: r.jobId });
      setStoreId("");
    } catch (e) {
      setMsg({ text: (e as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h2>Download to another worker</h2>
      <div className="row">
        <WorkerSelect aria-label="worker to download to" value={storeId} onChange={setStoreId} exclude={holders} anyLabel="choose a worker" />
        <button disabled={!storeId || busy} onClick={() => void start()}>Download there</button>
        {msg && (
          <span className={msg.error ? "error" : "muted"} role={msg.error ? "alert" : "status"} data-testid="copy-message">
            {msg.text}
            {msg.jobId && <> (job <Link href="/downloads" className="mono">{msg.jobId}</Link>)</>}
          </span>
        )}
      </div>
    </>
  );
}
