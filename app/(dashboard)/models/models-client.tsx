"use client";
import Link from "next/link";
import { useState } from "react";
import { api } from "@/components/api";
import { formatBytes } from "@/components/format";
import { usePoll } from "@/components/use-poll";
import type { ModelDto } from "@/lib/models/model-dto";

function ConvertAction({ m, types, onDone }: { m: ModelDto; types: string[]; onDone: (msg: string) => void }) {
  const [type, setType] = useState("q8_0");
  return (
    <span className="row">
      <select aria-label={`convert type for ${m.name}`} value={type} onChange={(e) => setType(e.target.value)}>
        {types.map((t) => <option key={t}>{t}</option>)}
      </select>
      <button className="secondary" onClick={() => api<{ name: string }>(`/api/models/${m.id}/convert`, { body: { type } }).then((r) => onDone(`converting to ${r.name}`), (e: Error) => onDone(e.message))}>
        Convert
      </button>
    </span>
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
    api<{ bytesFreed: number }>(`/api/models/${m.id}`, { method: "DELETE" }).then((r) => done(`deleted ${m.name}: ${formatBytes(r.bytesFreed)} freed`), (e: Error) => done(e.message));
  };
  return (
    <>
      <p className="muted" data-testid="disk-use">{data.models.length} models · {formatBytes(total)} on disk</p>
      {message && <div className="notice" role="status">{message}</div>}
      <table>
        <thead>
          <tr><th>name</th><th>source</th><th>format</th><th>status</th><th>files</th><th>size</th><th>checksums</th><th></th></tr>
        </thead>
        <tbody>
          {data.models.map((m) => (
            <tr key={m.id} data-model={m.name} data-status={m.status}>
              <td>
                <Link href={`/models/${m.id}`}>{m.name}</Link>
                {m.derivedFrom && <div className="muted">from {m.derivedFrom.name}</div>}
              </td>
              <td>{m.source}{m.repo && m.source === "hf" ? "" : m.repo ? ` (${m.repo})` : ""}</td>
              <td>{m.format}</td>
              <td><span className={`status ${m.status}`}>{m.status}</span></td>
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
      {data.models.length === 0 && <p className="muted">No models yet: start one on the Downloads page.</p>}
    </>
  );
}
