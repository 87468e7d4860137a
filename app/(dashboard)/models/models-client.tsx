"use client";
import Link from "next/link";
import { useState } from "react";
import { api } from "@/components/api";
import { formatBytes } from "@/components/format";
import { TypeSelect } from "@/components/type-select";
import { usePoll } from "@/components/use-poll";
import { WorkerSelect } from "@/components/worker-select";
import { defaultType } from "@/lib/convert/quants/type-notes";
import type { ModelDto } from "@/lib/models/model-dto";
import { familyLabel } from "@/lib/models/model-family";
import { UploadControl } from "./upload-control";

function ConvertAction({ m, types, onDone }: { m: ModelDto; types: string[]; onDone: (msg: string) => void }) {
  const [type, setType] = useState(defaultType(types));
  const [storeId, setStoreId] = useState("");
  return (
    <span className="row">
      <TypeSelect label={`convert type for ${m.name}`} types={types} value={type} onChange={setType} />
      {m.holders.length > 0 && (
        <WorkerSelect aria-label={`convert worker for ${m.name}`} value={storeId} onChange={setStoreId} only={m.holders.map((h) => h.storeId)} anyLabel="any holder" />
      )}
      <button className="secondary" onClick={() => api<{ name: string }>(`/api/models/${m.id}/convert`, { body: { type, storeId } }).then((r) => onDone(`converting to ${r.name}`), (e: Error) => onDone(e.message))}>
        Convert
      </button>
    </span>
  );
}

/** The workers whose stores hold a model, each marked online or offline; "—" when no store holds it. */
function Holders({ holders }: { holders: ModelDto["holders"] }) {
  if (holders.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {holders.map((h) => (
        <div key={h.storeId} data-store={h.storeId}>
          {h.workers.length === 0 && (
            <div style={{ whiteSpace: "nowrap" }}>store <span className="mono">{h.storeId}</span> <span className="status offline">offline</span></div>
          )}
          {h.workers.map((w) => (
            <div key={w.name} style={{ whiteSpace: "nowrap" }}>
              {w.name} <span className={`status ${w.online ? "online" : "offline"}`}>{w.online ? "online" : "offline"}</span>
            </div>
          ))}
        </div>
      ))}
    </>
  );
}

type ImportableDto = { dir: string; path: string; bytes: number };

/** Admins: the GGUFs in IMPORT_DIRS, each importable into the store (hard link, or a copy across filesystems). */
function ImportPanel({ onDone }: { onDone: (msg: string) => void }) {
  const [files, setFiles] = useState<ImportableDto[] | null>(null);
  const load = () => api<{ files: ImportableDto[] }>("/api/models/import").then((r) => setFiles(r.files), (e: Error) => onDone(e.message));
  const importOne = (f: ImportableDto) =>
    api<{ name: string; how: string }>("/api/models/import", { body: { path: f.path } }).then(
      (r) => onDone(`imported ${r.name} (${r.how === "link" ? "hard link" : "copy"})`),
      (e: Error) => onDone(e.message),
    );
  return (
    <details className="stack" onToggle={(e) => (e.currentTarget.open && files === null ? void load() : undefined)}>
      <summary>Import a GGUF from the server&apos;s import folders</summary>
      {files === null ? <p className="muted">loading…</p> : files.length === 0 ? <p className="muted">no .gguf files in IMPORT_DIRS (none configured?)</p> : (
        <table aria-label="importable GGUFs">
          <tbody>
            {files.map((f) => (
              <tr key={f.path}>
                <td className="mono">{f.path}</td>
                <td>{formatBytes(f.bytes)}</td>
                <td><button className="secondary" onClick={() => void importOne(f)}>Import</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

export function ModelsClient({ initial, role, types }: { initial: ModelDto[]; role: string; types: string[] }) {
  const { data, refresh } = usePoll<{ models: ModelDto[] }>("/api/models", { models: initial }, 2000);
  const [message, setMessage] = useState<string | null>(null);
  const done = (msg: string) => (setMessage(msg), refresh());
  const canAct = role !== "viewer";
  const total = data.models.reduce((s, m) => s + m.bytes, 0);
  const remove = (m: ModelDto) => {
    if (!window.confirm(`Delete ${m.name} and its ${formatBytes(m.bytes)} of files?`)) return;
    api<{ bytesFreed: number; pendingOn?: string[] }>(`/api/models/${m.id}`, { method: "DELETE" }).then(
      (r) => {
        const pending = r.pendingOn ?? [];
        const later = pending.length > 0 ? `; the copies on ${pending.join(", ")} are deleted when those workers are online` : "";
        done(`deleted ${m.name}: ${formatBytes(r.bytesFreed)} freed here${later}`);
      },
      (e: Error) => done(e.message),
    );
  };
  return (
    <>
      <p className="muted" data-testid="disk-use">{data.models.length} models · {formatBytes(total)} on disk</p>
      {message && <div className="notice" role="status">{message}</div>}
      {canAct && <UploadControl onDone={done} />}
      {role === "admin" && <ImportPanel onDone={done} />}
      <table>
        <thead>
          <tr><th>name</th><th>family</th><th>context</th><th>source</th><th>format</th><th>architecture</th><th>status</th><th>workers</th><th>files</th><th>size</th><th>checksums</th><th></th></tr>
        </thead>
        <tbody>
          {data.models.map((m) => (
            <tr key={m.id} data-model={m.name} data-status={m.status}>
              <td>
                <Link href={`/models/${m.id}`}>{m.name}</Link>
                {m.derivedFrom && <div className="muted">from {m.derivedFrom.name}</div>}
              </td>
              <td data-testid="family">{m.family ? familyLabel(m.family) : <span className="muted">—</span>}</td>
              <td data-testid="context-length">{m.contextLength ? `${m.contextLength.toLocaleString("en-US")} tokens` : <span className="muted">—</span>}</td>
              <td>{m.source}{m.repo && m.source === "hf" ? "" : m.repo ? ` (${m.repo})` : ""}</td>
              <td>{m.format}</td>
              <td data-testid="architecture">
                {m.architecture?.name ?? <span className="muted">—</span>}
                {m.architecture && !m.architecture.supported && <span className="error" title="unknown to the bundled llama.cpp: cannot run"> (unsupported)</span>}
              </td>
              <td><span className={`status ${m.status}`}>{m.status}</span></td>
              <td data-testid="holders"><Holders holders={m.holders} /></td>
              <td>{m.fileCount}</td>
              <td>{formatBytes(m.bytes)}</td>
              <td className={m.checksums.corrupt ? "error" : "muted"}>
                {m.checksums.verified} verified{m.checksums.corrupt ? `, ${m.checksums.corrupt} corrupt` : ""}{m.checksums.unchecked ? `, ${m.checksums.unchecked} without checksum` : ""}
              </td>
              <td>
                <div className="row">
                  {canAct && ["ready", "verified", "corrupt"].includes(m.status) && (
                    <button className="secondary" onClick={() => api(`/api/models/${m.id}/verify`, { body: {} }).then(() => done(`verifying ${m.name}`), (e: Error) => done(e.message))}>Verify</button>
                  )}
                  {canAct && m.format !== "gguf" && ["ready", "verified"].includes(m.status) && <ConvertAction m={m} types={types} onDone={done} />}
                  {role === "admin" && <button className="danger" onClick={() => remove(m)}>Delete</button>}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.models.length === 0 && <p className="muted">No models yet: start one on the Downloads page or upload a GGUF.</p>}
    </>
  );
}
