"use client";
import { useEffect, useRef, useState } from "react";
import { useFeedback } from "@/components/feedback";
import { formatBytes } from "@/components/format";
import { ProgressBar } from "@/components/progress-bar";
import type { ModelDetailDto } from "@/lib/models/model-dto";
import { cancelUpload, finishUpload, sendChunks, startUpload, UploadRequestError, uploadStatus, type UploadState } from "@/lib/uploads/upload-client";

// A page reload loses the File object but not localStorage: the upload id is kept under the file's name, size and
// modification time, so picking the same file again continues from the bytes the server has.
const PREFIX = "depot-upload:";
const keyOf = (f: File) => `${PREFIX}${JSON.stringify([f.name, f.size, f.lastModified])}`;

/** Unfinished uploads this browser started, as the server knows them (ids it no longer has are forgotten). */
async function unfinished(): Promise<UploadState[]> {
  const keys = Object.keys(localStorage).filter((k) => k.startsWith(PREFIX));
  const states = await Promise.all(
    keys.map((k) =>
      uploadStatus(localStorage.getItem(k) ?? "").catch((err: unknown) => {
        if (err instanceof UploadRequestError && err.status === 404) localStorage.removeItem(k);
        return null;
      }),
    ),
  );
  return states.filter((s): s is UploadState => s !== null);
}

export function UploadControl({ onDone }: { onDone: (msg: string, kind?: "ok" | "error") => void }) {
  const { confirm } = useFeedback();
  const [active, setActive] = useState<{ id: string; fileName: string; size: number; offset: number; key: string } | null>(null);
  const [stage, setStage] = useState<"sending" | "validating" | null>(null);
  const [pending, setPending] = useState<UploadState[]>([]);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    unfinished().then(setPending, () => {});
  }, []);

  const upload = async (file: File) => {
    const key = keyOf(file);
    const known = localStorage.getItem(key);
    const existing = known ? await uploadStatus(known).catch(() => null) : null;
    const state = existing ?? (await startUpload(file));
    localStorage.setItem(key, state.id);
    setPending((p) => p.filter((u) => u.id !== state.id));
    const ctrl = new AbortController();
    abort.current = ctrl;
    setActive({ id: state.id, fileName: file.name, size: file.size, offset: state.offset, key });
    setStage("sending");
    try {
      await sendChunks(state.id, file, { from: state.offset, signal: ctrl.signal, onProgress: (offset) => setActive((a) => a && { ...a, offset }) });
      setStage("validating");
      const model = await finishUpload<ModelDetailDto>(state.id, { signal: ctrl.signal });
      localStorage.removeItem(key);
      onDone(`uploaded ${file.name} as ${model.name} (${model.status})`);
    } catch (err) {
      if (ctrl.signal.aborted) return;
      // A refused file (not GGUF, over the limit) is gone on the server; a network error leaves it resumable.
      if (err instanceof UploadRequestError && err.status !== 409) localStorage.removeItem(key);
      onDone(`upload of ${file.name} stopped: ${(err as Error).message}${localStorage.getItem(key) ? " — pick the file again to resume" : ""}`, "error");
    } finally {
      setActive(null);
      setStage(null);
    }
  };

  const cancel = async () => {
    if (!active || !(await confirm({ title: `Cancel the upload of ${active.fileName}?`, body: "The bytes sent so far are discarded.", confirmLabel: "Cancel upload" }))) return;
    abort.current?.abort();
    localStorage.removeItem(active.key);
    await cancelUpload(active.id).catch(() => {});
    onDone(`upload of ${active.fileName} cancelled`);
  };

  const discard = async (u: UploadState) => {
    if (!(await confirm({ title: `Discard the unfinished upload of ${u.fileName}?`, body: `The ${formatBytes(u.offset)} on the server are deleted.`, confirmLabel: "Discard" }))) return;
    for (const k of Object.keys(localStorage)) if (localStorage.getItem(k) === u.id) localStorage.removeItem(k);
    await cancelUpload(u.id).catch(() => {});
    setPending((p) => p.filter((x) => x.id !== u.id));
    onDone(`discarded the upload of ${u.fileName}`);
  };

  return (
    <section className="card" data-testid="upload" style={{ marginBottom: 12 }}>
      <div className="row">
        <label>
          Upload a GGUF{" "}
          <input
            type="file"
            accept=".gguf"
            aria-label="GGUF file to upload"
            disabled={active !== null}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = "";
              if (f) upload(f).catch((err: Error) => onDone(`upload of ${f.name} failed: ${err.message}`, "error"));
            }}
          />
        </label>
        {active && <button className="danger" onClick={cancel}>Cancel upload</button>}
      </div>
      {active && (
        <div data-testid="upload-progress">
          <ProgressBar pct={(active.offset / active.size) * 100} label={`upload of ${active.fileName}`} />
          <span className="muted">
            {stage === "validating" ? `checking ${active.fileName}…` : `${active.fileName}: ${formatBytes(active.offset)} of ${formatBytes(active.size)}`}
          </span>
        </div>
      )}
      {pending.map((u) => (
        <div key={u.id} className="muted" data-testid="upload-pending">
          unfinished: {u.fileName}, {formatBytes(u.offset)} of {formatBytes(u.size)} — pick the same file to resume{" "}
          <button className="secondary" onClick={() => discard(u)}>Discard</button>
        </div>
      ))}
    </section>
  );
}
