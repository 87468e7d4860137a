import Link from "next/link";
import { notFound } from "next/navigation";
import { formatBytes } from "@/components/format";
import { assertModelVisible } from "@/lib/access/model-access";
import { requireUser } from "@/lib/auth/require-user";
import { HttpError } from "@/lib/http/errors";
import { QUANTIZE_TYPES } from "@/lib/convert/quantize-gguf";
import { getModel } from "@/lib/models/get-model";
import { summarizeConfig } from "@/lib/models/config-summary";
import { familyLabel } from "@/lib/models/model-family";
import { AccessPanel } from "./access-panel";
import { CopyToWorker } from "./copy-to-worker";
import { GgufActions } from "./gguf-actions";
import { QuantizeAction } from "./quantize-action";

const show = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requireUser();
  const { user } = principal;
  const { id } = await params;
  // A model hidden from this user is "not found" here too, and the attempt is audited.
  const visible = await assertModelVisible(principal, { id }).then(() => true, () => false);
  if (!visible) notFound();
  const m = await getModel({ id, user }).catch((e: unknown) => {
    if (e instanceof HttpError && e.status === 404) notFound();
    throw e;
  });
  const summary = summarizeConfig(m.metadata);
  const type = typeof m.metadata?.type === "string" ? m.metadata.type : null;
  // A Hub GGUF is downloaded again by its first file (the split set follows), under the same name.
  const ggufFirst = m.format === "gguf" ? m.files.map((f) => f.path).sort()[0] : undefined;
  const copy: { title: string; url: string; body: Record<string, string | string[]> } | null =
    m.source === "hf" && m.repo
      ? { title: "Download to another worker", url: "/api/downloads/hf", body: { repo: m.repo, revision: m.revision ?? "main", ...(ggufFirst ? { include: [ggufFirst] } : {}) } }
      : m.derivedFrom && type
        ? { title: `Convert on another worker too (from ${m.derivedFrom.name}, which it must hold)`, url: `/api/models/${m.derivedFrom.id}/convert`, body: { type } }
        : null;
  return (
    <>
      <p><Link href="/models">← Models</Link></p>
      <h1>{m.name}</h1>
      <p className="muted">
        {m.family && <span data-testid="family">{familyLabel(m.family)} · </span>}
        {m.source} · {m.format} · <span className={`status ${m.status}`}>{m.status}</span> · {formatBytes(m.bytes)}
        {m.parameterCount ? ` · ${(m.parameterCount / 1e6).toFixed(1)} M parameters` : ""}
        {m.contextLength ? <span data-testid="context-length"> · context {m.contextLength.toLocaleString("en-US")} tokens</span> : ""}
        {m.derivedFrom && <> · {m.format === "gguf" && m.derivedFrom.format === "gguf" ? "quantized" : "converted"} from <Link href={`/models/${m.derivedFrom.id}`}>{m.derivedFrom.name}</Link></>}
      </p>
      <p className="muted mono">{m.directory}</p>
      {m.format === "gguf" && ["ready", "verified"].includes(m.status) && m.holders.length > 0 && <GgufActions id={m.id} name={m.name} canRun={user.role !== "viewer"} />}
      {m.architecture && (
        <p data-testid="architecture">
          architecture <b>{m.architecture.name}</b>
          {!m.architecture.supported && (
            <span className="error" role="alert"> · unknown to the bundled llama.cpp: this model is listed but cannot run</span>
          )}
        </p>
      )}

      <h2>Workers holding this model</h2>
      {m.holders.length === 0 ? (
        <p className="muted">No worker holds this model yet: inference waits until one downloads or converts it.</p>
      ) : (
        <table data-testid="holders-table">
          <thead><tr><th>worker(s)</th><th>store id</th><th>online</th><th>size</th></tr></thead>
          <tbody>
            {m.holders.map((h) => (
              <tr key={h.storeId} data-store={h.storeId}>
                <td>{h.workers.length > 0 ? h.workers.map((w) => `${w.name}${w.online ? "" : " (offline)"}`).join(", ") : <span className="muted">no worker seen</span>}</td>
                <td className="mono">{h.storeId}</td>
                <td><span className={`status ${h.online ? "online" : "offline"}`}>{h.online ? "online" : "offline"}</span></td>
                <td>{formatBytes(h.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {copy && m.holders.length > 0 && user.role !== "viewer" && <CopyToWorker how={copy} holders={m.holders.map((h) => h.storeId)} />}
      {/* Who may convert may quantize: members and admins, of a model they can see (the convert route checks both). */}
      {m.format === "gguf" && m.holders.length > 0 && ["ready", "verified"].includes(m.status) && user.role !== "viewer" && (
        <QuantizeAction modelId={m.id} types={QUANTIZE_TYPES} holders={m.holders.map((h) => h.storeId)} />
      )}

      <h2>Files</h2>
      <table>
        <thead><tr><th>path</th><th>size</th><th>status</th><th>checksums</th></tr></thead>
        <tbody>
          {m.files.map((f) => (
            <tr key={f.path} data-file={f.path} data-status={f.status}>
              <td className="mono">{f.path}</td>
              <td>{formatBytes(f.bytes)}</td>
              <td><span className={`status ${f.status}`}>{f.status}</span>{f.error && <div className="error">{f.error}</div>}</td>
              <td className="mono muted">
                {f.md5 && <div>md5 {f.md5}{f.expectedMd5 && f.expectedMd5 !== f.md5 ? ` (expected ${f.expectedMd5})` : ""}</div>}
                {f.sha256 && <div>sha256 {f.sha256}{f.expectedSha256 && f.expectedSha256 !== f.sha256 ? ` (expected ${f.expectedSha256})` : ""}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {m.ggufError && (
        <p className="error" role="alert" data-testid="gguf-error">
          The GGUF file cannot be read: {m.ggufError}
        </p>
      )}
      {m.gguf && (
        <>
          <h2>GGUF</h2>
          <p className="muted" data-testid="gguf-summary">
            file type {m.gguf.fileType ?? "unknown"} · {formatBytes(m.gguf.bytes)} · {m.gguf.tensors.length} tensors · {m.gguf.bitsPerWeight.toFixed(2)} bits per weight
          </p>
          <h2>Metadata</h2>
          <table>
            <thead><tr><th>key</th><th>value</th></tr></thead>
            <tbody>
              {Object.entries(m.gguf.metadata).map(([k, v]) => (
                <tr key={k}><td className="mono">{k}</td><td className="mono">{show(v).slice(0, 300)}</td></tr>
              ))}
            </tbody>
          </table>
          <h2>Tensors</h2>
          <table>
            <thead><tr><th>name</th><th>type</th><th>shape</th><th>size</th></tr></thead>
            <tbody>
              {m.gguf.tensors.map((t) => (
                <tr key={t.name} data-tensor={t.name}><td className="mono">{t.name}</td><td>{t.type}</td><td className="mono">[{t.shape.join(", ")}]</td><td>{formatBytes(t.bytes)}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {m.metadata && !m.gguf && (
        <>
          <h2>Details</h2>
          {summary.length > 0 && (
            <dl className="config-summary" data-testid="config-summary">
              {summary.map((f) => (
                <div key={f.label} data-fact={f.label}><dt className="muted">{f.label}</dt><dd>{f.value}</dd></div>
              ))}
            </dl>
          )}
          <details>
            <summary>Raw metadata (JSON)</summary>
            <pre className="mono">{JSON.stringify(m.metadata, null, 2)}</pre>
          </details>
        </>
      )}

      {user.role === "admin" && <AccessPanel modelId={m.id} />}

      <h2>Jobs</h2>
      <table>
        <thead><tr><th>job</th><th>status</th><th>error</th></tr></thead>
        <tbody>
          {m.jobs.map((j) => (
            <tr key={j.id}><td className="mono">{j.queue} · {j.id}</td><td><span className={`status ${j.status}`}>{j.status}</span></td><td className="error">{j.error}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
