"use client";
import Link from "next/link";
import { useAction } from "@/components/feedback";

/** What to do next with a runnable GGUF: chat with it, run a batch, call it through /v1, or take the file home. */
export function GgufActions({ id, name, canRun }: { id: string; name: string; canRun: boolean }) {
  const run = useAction();
  const q = encodeURIComponent(name);
  return (
    <div className="row" data-testid="gguf-actions">
      {canRun && <Link className="button" href={`/playground?model=${q}`}>Chat</Link>}
      {canRun && <Link className="button" href={`/runs?model=${q}`}>Run batch</Link>}
      <button className="secondary" onClick={() => void run(() => navigator.clipboard.writeText(name), `copied “${name}”: use it as "model" with /v1`)}>Copy API model id</button>
      <a className="button" href={`/api/models/${id}/file`} download>Download file</a>
    </div>
  );
}
