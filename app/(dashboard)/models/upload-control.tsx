"use client";
import { useEffect, useRef, useState } from "react";
import { useFeedback } from "@/components/feedback";
import { formatBytes } from "@/components/format";
import { ProgressBar } from "@/components/progress-bar";
import type { ModelDetailDto } from "@/lib/models/model-dto";
import {
  cancelFolderUpload,
  cancelUpload,
  finishFolderUpload,
  finishUpload,
  folderStatus,
  isCheckpointFile,
  sendChunks,
  sendFolder,
  startFolderUpload,
  startUpload,
  UploadRequestError,
  uploadStatus,
  type UploadState,
} from "@/lib/uploads/upload-client";

// A page reload loses the File object but not localStorage: the upload id is kept under the file's name, size and
// modification time, so picking the same file again continues from the bytes the server has.
// A folder upload is kept the same way, under its name and every file's name, size and modification time.
const PREFIX = "depot-upload:";
const FOLDER_PREFIX = "depot-upload-folder:";
const keyOf = (f: File) => `${PREFIX}${JSON.stringify([f.name, f.size, f.lastModified])}`;
const folderKeyOf = (name: string, files: File[]) => `${FOLDER_PREFIX}${JSON.stringify([name, ...files.map((f) => [f.name, f.size, f.lastModified]).sort()])}`;

type Pending = { id: string; kind: "file" | "folder"; label: string; size: number; offset: number };

/** Unfinished uploads (files and folders) this browser started, as the server knows them (ids it no longer has are forgotten). */
async function unfinished(): Promise<Pending[]> {
  const keys = Object.keys(localStorage).filter((k) => k.startsWith(PREFIX) || k.startsWith(FOLDER_PREFIX));
  const states = await Promise.all(
    keys.map((k) => {
      const id = localStorage.getItem(k) ?? "";
      const state: Promise<Pending> = k.startsWith(FOLDER_PREFIX)
        ? folderStatus(id).then((f) => ({ id, kind: "folder", label: `folder ${f.name}`, size: f.size, offset: f.offset }))
        : uploadStatus(id).then((u: UploadState) => ({ id, kind: "file", label: u.fileName, size: u.size, offset: u.offset }));
      return state.catch((err: unknown) => {
        if (err instanceof UploadRequestError && err.status === 404) localStorage.removeItem(k);
        return null;
      });
    }),
  );
  return states.filter((s): s is Pending => s !== null);
}

/**
 * The checkpoint files of a picked folder (those directly in it whose names the server takes) or of several picked
 * files, the model name to propose (the folder's), and the paths left out.
 */
function checkpointFiles(list: File[]): { name: string; files: File[]; skipped: string[] } {
  const files: File[] = [];
  const skipped: string[] = [];
  for (const f of list) {
    const rel = f.webkitRelativePath || f.name;
    // "folder/file": directly in the picked folder; deeper paths (Meta's original/, say) are another checkpoint.
    if (rel.split("/").length <= 2 && isCheckpointFile(f.name)) files.push(f);
    else skipped.push(rel);
  }
  const folder = list[0]?.webkitRelativePath.split("/")[0] ?? "";
  // In name order, so a folder is always sent the same way (whatever order the browser listed it in).
  files.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { name: folder.replace(/[^\w.-]+/g, "-").replace(/^[^A-Za-z0-9]+/, ""), files, skipped };
}

type Active = Pending & { key: string };

export function UploadControl({ onDone }: { onDone: (msg: string, kind?: "ok" | "error") => void }) {
  const { confirm } = useFeedback();
  const [active, setActive] = useState<Active | null>(null);
  const [stage, setStage] = useState<"sending" | "validating" | null>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [folderName, setFolderName] = useState("");
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    unfinished().then(setPending, () => {});
  }, []);

  /** Sends and completes one upload (a GGUF or a folder); a refusal forgets it, a network error leaves it resumable. */
  const run = async (a: Active, send: (signal: AbortSignal, onProgress: (offset: number) => void) => Promise<void>, finish: (signal: AbortSignal) => Promise<ModelDetailDto>, again: string) => {
    localStorage.setItem(a.key, a.id);
    setPending((p) => p.filter((u) => u.id !== a.id));
    const ctrl = new AbortController();
    abort.current = ctrl;
    setActive(a);
    setStage("sending");
    try {
      await send(ctrl.signal, (offset) => setActive((x) => x && { ...x, offset }));
      setStage("validating");
      const model = await finish(ctrl.signal);
      localStorage.removeItem(a.key);
      onDone(`uploaded ${a.label} as ${model.name} (${model.status})`);
    } catch (err) {
      if (ctrl.signal.aborted) return;
      // A refused upload (not GGUF, not a checkpoint, over the limit) is gone on the server; a network error leaves it resumable.
      if (err instanceof UploadRequestError && err.status !== 409) localStorage.removeItem(a.key);
      onDone(`upload of ${a.label} stopped: ${(err as Error).message}${localStorage.getItem(a.key) ? ` — ${again}` : ""}`, "error");
    } finally {
      setActive(null);
      setStage(null);
    }
  };

  const upload = async (file: File) => {
    const key = keyOf(file);
    const known = localStorage.getItem(key);
    const state = (known ? await uploadStatus(known).catch(() => null) : null) ?? (await startUpload(file));
    await run(
      { id: state.id, kind: "file", label: file.name, size: file.size, offset: state.offset, key },
      (signal, onProgress) => sendChunks(state.id, file, { from: state.offset, signal, onProgress }),
      (signal) => finishUpload<ModelDetailDto>(state.id, { signal }),
      "pick the file again to resume",
    );
  };

  const uploadFolder = async (picked: File[]) => {
    const { name: proposed, files, skipped } = checkpointFiles(picked);
    const name = folderName.trim() || proposed;
    if (!name) return onDone("give the checkpoint a model name: several picked files have no folder name to use", "error");
    if (files.length === 0) return onDone(`no checkpoint files among the ${picked.length} picked (left out: ${skipped.join(", ")})`, "error");
    if (skipped.length > 0) onDone(`left out (not checkpoint files): ${skipped.join(", ")}`);
    const key = folderKeyOf(name, files);
    const known = localStorage.getItem(key);
    const folder = (known ? await folderStatus(known).catch(() => null) : null) ?? (await startFolderUpload(name, files));
    const blobs = new Map(files.map((f) => [f.name, f]));
    await run(
      { id: folder.id, kind: "folder", label: `folder ${name}`, size: folder.size, offset: folder.offset, key },
      (signal, onProgress) => sendFolder(folder, blobs, { signal, onProgress }),
      (signal) => finishFolderUpload<ModelDetailDto>(folder.id, { signal }),
      "pick the same files again to resume",
    );
  };

  const forget = (u: Pending) => (u.kind === "folder" ? cancelFolderUpload(u.id) : cancelUpload(u.id)).catch(() => {});

  const cancel = async () => {
    if (!active || !(await confirm({ title: `Cancel the upload of ${active.label}?`, body: "The bytes sent so far are discarded.", confirmLabel: "Cancel upload" }))) return;
    abort.current?.abort();
    localStorage.removeItem(active.key);
    await forget(active);
    onDone(`upload of ${active.label} cancelled`);
  };

  const discard = async (u: Pending) => {
    if (!(await confirm({ title: `Discard the unfinished upload of ${u.label}?`, body: `The ${formatBytes(u.offset)} on the server are deleted.`, confirmLabel: "Discard" }))) return;
    for (const k of Object.keys(localStorage)) if (localStorage.getItem(k) === u.id) localStorage.removeItem(k);
    await forget(u);
    setPending((p) => p.filter((x) => x.id !== u.id));
    onDone(`discarded the upload of ${u.label}`);
  };

  const pickFolder = (list: FileList | null, input: HTMLInputElement) => {
    const picked = [...(list ?? [])];
    input.value = "";
    if (picked.length > 0) uploadFolder(picked).catch((err: Error) => onDone(`upload of the checkpoint failed: ${err.message}`, "error"));
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
      <div className="row">
        <label>
          or a checkpoint folder{" "}
          <input
            type="file"
            aria-label="checkpoint folder to upload"
            // Not in React's types; Chromium, Firefox and Safari all pick a folder with it.
            ref={(el) => el?.setAttribute("webkitdirectory", "")}
            disabled={active !== null}
            onChange={(e) => pickFolder(e.target.files, e.target)}
          />
        </label>
        <label>
          or its files <input type="file" multiple aria-label="checkpoint files to upload" disabled={active !== null} onChange={(e) => pickFolder(e.target.files, e.target)} />
        </label>
        <label>
          model name{" "}
          <input aria-label="checkpoint model name" placeholder="default: the folder's name" value={folderName} onChange={(e) => setFolderName(e.target.value)} disabled={active !== null} />
        </label>
      </div>
      {active && (
        <div data-testid="upload-progress">
          <ProgressBar pct={active.size ? (active.offset / active.size) * 100 : 0} label={`upload of ${active.label}`} />
          <span className="muted">
            {stage === "validating" ? `checking ${active.label}…` : `${active.label}: ${formatBytes(active.offset)} of ${formatBytes(active.size)}`}
          </span>
        </div>
      )}
      {pending.map((u) => (
        <div key={u.id} className="muted" data-testid="upload-pending">
          unfinished: {u.label}, {formatBytes(u.offset)} of {formatBytes(u.size)} — pick the same {u.kind === "folder" ? "files" : "file"} to resume{" "}
          <button className="secondary" onClick={() => discard(u)}>Discard</button>
        </div>
      ))}
    </section>
  );
}
