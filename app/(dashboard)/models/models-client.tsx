"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import { formatBytes } from "@/components/format";
import { ProgressBar } from "@/components/progress-bar";
import { TypeSelect } from "@/components/type-select";
import { usePoll } from "@/components/use-poll";
import { WorkerSelect } from "@/components/worker-select";
import { defaultType } from "@/lib/convert/quants/type-notes";
import type { ModelDto } from "@/lib/models/model-dto";
import { familyLabel } from "@/lib/models/model-family";
import { ActionMenu, type MenuItem } from "./action-menu";
import { formatParameters } from "./format-parameters";
import { UploadControl } from "./upload-control";

type Notify = (msg: string, kind?: "ok" | "error") => void;

/** The convert form a row's "Convert…" opens: file type, and which of the holding workers does the work. */
function ConvertForm({ m, types, onClose }: { m: ModelDto; types: string[]; onClose: () => void }) {
  const run = useAction();
  const [type, setType] = useState(defaultType(types));
  const [storeId, setStoreId] = useState("");
  const start = async () => {
    const r = await run(() => api<{ name: string }>(`/api/models/${m.id}/convert`, { body: { type, storeId } }), (x) => `converting ${m.name} to ${x.name}`);
    if (r) onClose();
  };
  return (
    <div className="convert-form" role="group" aria-label={`convert ${m.name}`}>
      <label>
        File type <TypeSelect label={`convert type for ${m.name}`} types={types} value={type} onChange={setType} />
      </label>
      {m.holders.length > 0 && (
        <label>
          Worker{" "}
          <WorkerSelect aria-label={`convert worker for ${m.name}`} value={storeId} onChange={setStoreId} only={m.holders.map((h) => h.storeId)} anyLabel="any worker holding it" />
        </label>
      )}
      <p className="muted">
        A conversion runs on a worker whose store holds this model; with &quot;any worker holding it&quot; the server picks one that is online.
      </p>
      <div className="row">
        <button onClick={() => void start()}>Start conversion</button>
        <button className="secondary" onClick={onClose}>Close</button>
      </div>
    </div>
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
            <div className="nowrap">store <span className="mono">{h.storeId}</span> <span className="status offline">offline</span></div>
          )}
          {h.workers.map((w) => (
            <div key={w.name} className="nowrap">
              {w.name} <span className={`status ${w.online ? "online" : "offline"}`}>{w.online ? "online" : "offline"}</span>
            </div>
          ))}
        </div>
      ))}
    </>
  );
}

type ImportableDto = { dir: string; path: string; bytes: number; parts: string[]; complete: boolean };

/** Admins: the GGUFs in IMPORT_DIRS, each importable into the store (hard link, or a copy across filesystems). */
function ImportPanel({ onDone }: { onDone: () => void }) {
  const run = useAction();
  const { toast } = useFeedback();
  const [files, setFiles] = useState<ImportableDto[] | null>(null);
  const load = () => api<{ files: ImportableDto[] }>("/api/models/import").then((r) => setFiles(r.files), (e: Error) => (toast(e.message, "error"), setFiles([])));
  const importOne = (f: ImportableDto) =>
    run(() => api<{ name: string; how: string }>("/api/models/import", { body: { path: f.path } }), (r) => `imported ${r.name} (${r.how === "link" ? "hard link" : "copy"})`).then(onDone);
  return (
    <details className="stack models-import" onToggle={(e) => (e.currentTarget.open && files === null ? void load() : undefined)}>
      <summary>Import a GGUF from the server&apos;s import folders</summary>
      {files === null ? <p className="muted">loading…</p> : files.length === 0 ? <p className="muted">no .gguf files in IMPORT_DIRS (none configured?)</p> : (
        <table aria-label="importable GGUFs" className="card-table">
          <tbody>
            {files.map((f) => (
              <tr key={f.path}>
                <td className="mono" data-label="file">
                  {f.path}
                  {f.parts.length > 1 || !f.complete ? <span className="muted"> (split set: {f.parts.length} parts{f.complete ? "" : ", some missing"})</span> : null}
                </td>
                <td data-label="size">{formatBytes(f.bytes)}</td>
                <td><button className="secondary" disabled={!f.complete} onClick={() => void importOne(f)}>Import</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

const SORTS = {
  newest: (a: ModelDto, b: ModelDto) => b.createdAt.localeCompare(a.createdAt),
  name: (a: ModelDto, b: ModelDto) => a.name.localeCompare(b.name),
  size: (a: ModelDto, b: ModelDto) => b.bytes - a.bytes,
  parameters: (a: ModelDto, b: ModelDto) => (b.parameterCount ?? 0) - (a.parameterCount ?? 0),
} as const;
type SortKey = keyof typeof SORTS;

const runnable = (m: ModelDto) => m.format === "gguf" && ["ready", "verified"].includes(m.status) && m.holders.length > 0;

export function ModelsClient({ initial, role, types }: { initial: ModelDto[]; role: string; types: string[] }) {
  const { data, refresh } = usePoll<{ models: ModelDto[] }>("/api/models", { models: initial }, 2000);
  const { toast, confirm } = useFeedback();
  const run = useAction();
  const [query, setQuery] = useState("");
  const [format, setFormat] = useState("");
  const [family, setFamily] = useState("");
  const [sort, setSort] = useState<SortKey>("newest");
  const [converting, setConverting] = useState<string | null>(null);
  const canAct = role !== "viewer";
  const total = data.models.reduce((s, m) => s + m.bytes, 0);
  const families = [...new Set(data.models.map((m) => m.family).filter((f): f is string => !!f))].sort();
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return data.models
      .filter((m) => !format || m.format === format)
      .filter((m) => !family || m.family === family)
      .filter((m) => !q || [m.name, m.repo, m.family && familyLabel(m.family), m.architecture?.name, m.quantType].some((s) => s?.toLowerCase().includes(q)))
      .sort(SORTS[sort]);
  }, [data.models, query, format, family, sort]);

  const notify: Notify = (msg, kind) => (toast(msg, kind), refresh());
  const remove = async (m: ModelDto) => {
    const ok = await confirm({ title: `Delete ${m.name}?`, body: `Its ${formatBytes(m.bytes)} of files are removed from every worker's store. This cannot be undone.`, confirmLabel: "Delete" });
    if (!ok) return;
    await run(
      () => api<{ bytesFreed: number; pendingOn?: string[] }>(`/api/models/${m.id}`, { method: "DELETE" }),
      (r) => {
        const pending = r.pendingOn ?? [];
        const later = pending.length > 0 ? `; the copies on ${pending.join(", ")} are deleted when those workers are online` : "";
        return `deleted ${m.name}: ${formatBytes(r.bytesFreed)} freed here${later}`;
      },
    );
    refresh();
  };
  const actions = (m: ModelDto): MenuItem[] => {
    const items: MenuItem[] = [{ label: "Details", href: `/models/${m.id}` }];
    if (runnable(m)) {
      if (canAct) items.push({ label: "Chat", href: `/playground?model=${encodeURIComponent(m.name)}` }, { label: "Run batch", href: `/runs?model=${encodeURIComponent(m.name)}` });
      items.push(
        { label: "Copy API model id", onSelect: () => void run(() => navigator.clipboard.writeText(m.name), `copied “${m.name}”: use it as "model" with /v1`) },
        { label: "Download file", href: `/api/models/${m.id}/file`, download: true },
      );
    }
    if (canAct && ["ready", "verified", "corrupt"].includes(m.status)) {
      items.push({ label: "Verify checksums", onSelect: () => void run(() => api(`/api/models/${m.id}/verify`, { body: {} }), `verifying ${m.name}`).then(refresh) });
    }
    if (canAct && m.format !== "gguf" && ["ready", "verified"].includes(m.status)) items.push({ label: "Convert…", onSelect: () => setConverting(m.id) });
    if (role === "admin") items.push({ label: "Delete", danger: true, onSelect: () => void remove(m) });
    return items;
  };

  return (
    <div className="models-page">
      <p className="muted" data-testid="disk-use">{data.models.length} models · {formatBytes(total)} on disk</p>
      {canAct && <UploadControl onDone={notify} />}
      {role === "admin" && <ImportPanel onDone={refresh} />}
      <div className="row models-filters" role="search">
        <label>
          Search <input type="search" aria-label="search models" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="name, repo, family, quant" />
        </label>
        <label>
          Format{" "}
          <select aria-label="format filter" value={format} onChange={(e) => setFormat(e.target.value)}>
            <option value="">all</option>
            <option value="gguf">GGUF</option>
            <option value="hf">Hugging Face</option>
            <option value="meta">Meta</option>
          </select>
        </label>
        <label>
          Family{" "}
          <select aria-label="family filter" value={family} onChange={(e) => setFamily(e.target.value)}>
            <option value="">all</option>
            {families.map((f) => <option key={f} value={f}>{familyLabel(f)}</option>)}
          </select>
        </label>
        <label>
          Sort by{" "}
          <select aria-label="sort models" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            <option value="newest">newest</option>
            <option value="name">name</option>
            <option value="size">size</option>
            <option value="parameters">parameters</option>
          </select>
        </label>
        {shown.length !== data.models.length && <span className="muted" data-testid="shown-count">{shown.length} of {data.models.length} shown</span>}
      </div>
      <table className="card-table" aria-label="models">
        <thead>
          <tr><th>name</th><th>family</th><th>parameters</th><th>quant</th><th>context</th><th>size</th><th>workers</th><th>status</th><th><span className="sr-only">actions</span></th></tr>
        </thead>
        <tbody>
          {shown.map((m) => (
            <tr key={m.id} data-model={m.name} data-status={m.status}>
              <td data-label="name">
                <Link href={`/models/${m.id}`}>{m.name}</Link>
                <div className="muted">
                  {m.source}{m.repo && m.source !== "hf" ? ` (${m.repo})` : ""} · {m.format}
                  {m.architecture && <> · <span data-testid="architecture">{m.architecture.name}</span></>}
                  {m.architecture && !m.architecture.supported && <span className="error" title="unknown to the bundled llama.cpp: cannot run"> (unsupported)</span>}
                </div>
                {m.derivedFrom && <div className="muted">from {m.derivedFrom.name}</div>}
                {converting === m.id && <ConvertForm m={m} types={types} onClose={() => (setConverting(null), refresh())} />}
              </td>
              <td data-label="family" data-testid="family">{m.family ? familyLabel(m.family) : <span className="muted">—</span>}</td>
              <td data-label="parameters" data-testid="parameters">{m.parameterCount ? formatParameters(m.parameterCount) : <span className="muted">—</span>}</td>
              <td data-label="quant" data-testid="quant">{m.quantType ?? <span className="muted">—</span>}</td>
              <td data-label="context" data-testid="context-length">{m.contextLength ? `${m.contextLength.toLocaleString("en-US")} tokens` : <span className="muted">—</span>}</td>
              <td data-label="size">{formatBytes(m.bytes)}<div className="muted">{m.fileCount} {m.fileCount === 1 ? "file" : "files"}</div></td>
              <td data-label="workers" data-testid="holders"><Holders holders={m.holders} /></td>
              <td data-label="status">
                <span className={`status ${m.status}`}>{m.status}</span>
                <div className={m.checksums.corrupt ? "error" : "muted"} data-testid="checksums">
                  {m.checksums.verified} verified{m.checksums.corrupt ? `, ${m.checksums.corrupt} corrupt` : ""}{m.checksums.unchecked ? `, ${m.checksums.unchecked} without checksum` : ""}
                </div>
                {m.activeJob && (
                  <div data-testid="row-job" data-job-id={m.activeJob.id}>
                    <ProgressBar pct={m.activeJob.progress} label={`${m.activeJob.queue} of ${m.name}`} />
                    <span className="muted">{m.activeJob.queue} {m.activeJob.status} · {Math.round(m.activeJob.progress)}%</span>
                  </div>
                )}
              </td>
              <td><ActionMenu label={`actions for ${m.name}`} items={actions(m)} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.models.length === 0 && <p className="muted">No models yet: start one on the Downloads page or upload a GGUF or a checkpoint folder.</p>}
      {data.models.length > 0 && shown.length === 0 && <p className="muted">No model matches these filters.</p>}
    </div>
  );
}
