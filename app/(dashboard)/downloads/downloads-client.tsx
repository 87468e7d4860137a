"use client";
import { useEffect, useState, type FormEvent } from "react";
import { api } from "@/components/api";
import { formatBytes, formatDuration } from "@/components/format";
import { ProgressBar } from "@/components/progress-bar";
import { useNow } from "@/components/use-now";
import { usePoll } from "@/components/use-poll";
import { WorkerSelect } from "@/components/worker-select";
import type { DownloadDto } from "@/lib/models/list-downloads";
import type { MetaCatalogDto } from "@/lib/sources/meta";

type Token = { id: string; label: string; hint: string };
type ParsedLink = { expiresAt: string; display: string; family: string | null };
type HubGgufDto = { stem: string; quant: string | null; files: { path: string; bytes: number }[]; bytes: number; complete: boolean };

function Countdown({ until, now }: { until: string; now: number | null }) {
  if (now === null) return null;
  const left = (new Date(until).getTime() - now) / 1000;
  return left > 0 ? <span data-testid="countdown">expires in {formatDuration(left)}</span> : <span className="error" data-testid="countdown">expired</span>;
}

function MetaForm({ catalog, speedBps, onStarted }: { catalog: MetaCatalogDto; speedBps: number; onStarted: () => void }) {
  const [url, setUrl] = useState("");
  const [family, setFamily] = useState(catalog[0]?.id ?? "");
  const [parsed, setParsed] = useState<ParsedLink | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [assumedMiBps, setAssumedMiBps] = useState(50);
  const [storeId, setStoreId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const now = useNow();

  useEffect(() => {
    if (!url.trim()) return setParsed(null), setParseError(null);
    let stop = false;
    api<ParsedLink>("/api/downloads/meta/parse", { body: { url } }).then(
      (r) => {
        if (stop) return;
        setParsed(r);
        setParseError(null);
        // Each family has its own host: a pasted link says which one it is for.
        const linked = catalog.find((f) => f.id === r.family);
        if (linked) {
          setFamily(linked.id);
          setChosen((c) => c.filter((id) => linked.models.some((m) => m.id === id)));
        }
      },
      (e: Error) => !stop && (setParsed(null), setParseError(e.message)),
    );
    return () => {
      stop = true;
    };
  }, [url, catalog]);

  const models = catalog.find((f) => f.id === family)?.models ?? [];
  const bytes = models.filter((m) => chosen.includes(m.id)).reduce((s, m) => s + m.approxBytes, 0);
  const speed = speedBps > 0 ? speedBps : assumedMiBps * 1024 * 1024;
  const estimate = bytes / speed;
  const left = parsed && now !== null ? (new Date(parsed.expiresAt).getTime() - now) / 1000 : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api("/api/downloads/meta", { body: { url, family, models: chosen, storeId } });
      setUrl("");
      setChosen([]);
      onStarted();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="From Meta" style={{ maxWidth: 640 }}>
      <h2>From Meta</h2>
      <textarea aria-label="signed URL" rows={3} placeholder="https://download.llamameta.net/*?Policy=…" value={url} onChange={(e) => setUrl(e.target.value)} />
      {parsed && (
        <div className="muted" data-testid="link-expiry">
          {parsed.display} · valid until {new Date(parsed.expiresAt).toLocaleString()} · <Countdown until={parsed.expiresAt} now={now} />
        </div>
      )}
      {parseError && <div className="error">{parseError}</div>}
      <label className="row">
        family{" "}
        <select aria-label="model family" value={family} onChange={(e) => (setFamily(e.target.value), setChosen([]))}>
          {catalog.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <div className="row">
        {models.map((m) => (
          <label key={m.id} className="row">
            <input type="checkbox" checked={chosen.includes(m.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, m.id] : chosen.filter((x) => x !== m.id))} />
            {m.id} <span className="muted">({m.shards} shard{m.shards > 1 ? "s" : ""})</span>
          </label>
        ))}
      </div>
      {chosen.length > 0 && (
        <div className="muted">
          ≈ {formatBytes(bytes)}, about {formatDuration(estimate)} at{" "}
          {speedBps > 0 ? `the current ${formatBytes(speedBps)}/s` : (
            <>
              <input aria-label="assumed speed MiB/s" type="number" min={1} value={assumedMiBps} onChange={(e) => setAssumedMiBps(Math.max(1, Number(e.target.value)))} style={{ width: 70 }} /> MiB/s
            </>
          )}
        </div>
      )}
      {left !== null && chosen.length > 0 && estimate > left && (
        <div className="notice" role="alert">The download will probably outlast the link ({formatDuration(left)} left). It resumes when you paste a new link, but requesting a fresh one now saves a round trip.</div>
      )}
      <label className="row">
        to <WorkerSelect aria-label="Meta download worker" value={storeId} onChange={setStoreId} />
      </label>
      <button disabled={!parsed || chosen.length === 0 || (left ?? 0) <= 0}>Download</button>
      {error && <div className="error" role="alert">{error}</div>}
    </form>
  );
}

/** A repo's GGUFs by quant with sizes (split sets as one); picking one makes the download that GGUF alone. */
function GgufPicker({ ggufs, picked, onPick }: { ggufs: HubGgufDto[]; picked: string; onPick: (first: string) => void }) {
  if (ggufs.length === 0) return <p className="muted">no .gguf files in this repo: the download is a checkpoint</p>;
  return (
    <fieldset className="stack" aria-label="GGUF files">
      <legend>GGUF files</legend>
      <label className="row">
        <input type="radio" name="gguf" checked={picked === ""} onChange={() => onPick("")} /> none (checkpoint files by the globs)
      </label>
      {ggufs.map((g) => (
        <label className="row" key={g.stem}>
          <input type="radio" name="gguf" value={g.files[0]!.path} disabled={!g.complete} checked={picked === g.files[0]!.path} onChange={() => onPick(g.files[0]!.path)} />
          <b>{g.quant ?? g.stem}</b> <span className="mono">{g.files.length > 1 ? `${g.stem} (${g.files.length} parts)` : g.files[0]!.path}</span>
          <span>{formatBytes(g.bytes)}</span>
          {!g.complete && <span className="error">parts missing</span>}
        </label>
      ))}
    </fieldset>
  );
}

function HfForm({ tokens, onStarted }: { tokens: Token[]; onStarted: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [storeId, setStoreId] = useState("");
  const [ggufs, setGgufs] = useState<HubGgufDto[] | null>(null);
  const [picked, setPicked] = useState("");
  const listGgufs = async (form: HTMLFormElement | null) => {
    if (!form) return;
    const f = new FormData(form);
    const q = new URLSearchParams({ repo: String(f.get("repo") ?? ""), revision: String(f.get("revision") || "main") });
    if (f.get("credentialId")) q.set("credentialId", String(f.get("credentialId")));
    setError(null);
    try {
      setGgufs((await api<{ ggufs: HubGgufDto[] }>(`/api/downloads/hf/ggufs?${q}`)).ggufs);
      setPicked("");
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const globs = (k: string) => String(f.get(k) ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    setError(null);
    try {
      await api("/api/downloads/hf", {
        body: {
          repo: f.get("repo"),
          revision: f.get("revision") || "main",
          include: picked ? [picked] : globs("include"),
          exclude: picked ? [] : globs("exclude"),
          token: f.get("token") || undefined,
          credentialId: f.get("credentialId") || undefined,
          storeId,
        },
      });
      form.reset();
      setGgufs(null);
      setPicked("");
      onStarted();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="From Hugging Face">
      <h2>From Hugging Face</h2>
      <input name="repo" aria-label="repo" placeholder="meta-llama/Llama-2-7b-hf" required onChange={() => setGgufs(null)} />
      <input name="revision" aria-label="revision" placeholder="main" />
      <button type="button" className="secondary" onClick={(e) => listGgufs(e.currentTarget.form)}>List GGUF files</button>
      {ggufs && <GgufPicker ggufs={ggufs} picked={picked} onPick={setPicked} />}
      <input name="include" aria-label="include" placeholder="include globs, e.g. *.safetensors,config.json (default: weights + config + tokenizer)" />
      <input name="exclude" aria-label="exclude" placeholder="exclude globs" />
      <input name="token" aria-label="token" type="password" autoComplete="off" placeholder="hf_… token for gated repos (stored encrypted)" />
      {tokens.length > 0 && (
        <select name="credentialId" aria-label="saved token" defaultValue="">
          <option value="">no saved token</option>
          {tokens.map((t) => <option key={t.id} value={t.id}>{t.label} ({t.hint})</option>)}
        </select>
      )}
      <label className="row">
        to <WorkerSelect aria-label="Hugging Face download worker" value={storeId} onChange={setStoreId} />
      </label>
      <button>Download</button>
      {error && <div className="error" role="alert">{error}</div>}
    </form>
  );
}

function Relink({ jobId, onDone }: { jobId: string; onDone: () => void }) {
  const [url, setUrl] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="row">
      <input aria-label={`new link for ${jobId}`} placeholder="paste a new signed URL" value={url} onChange={(e) => setUrl(e.target.value)} />
      <button className="secondary" disabled={!url} onClick={() => api(`/api/downloads/meta/${jobId}`, { method: "PUT", body: { url } }).then(() => (setUrl(""), onDone()), (e: Error) => setError(e.message))}>
        Use new link
      </button>
      {error && <span className="error">{error}</span>}
    </div>
  );
}

/** Cancel for good: stop the job, then delete its models, which removes the partial files. */
async function discard(d: DownloadDto, modelIds: string[]): Promise<void> {
  if (["waiting", "active", "delayed"].includes(d.status)) await api(`/api/jobs/${d.id}/cancel`, { body: {} });
  for (let i = 0; i < 100; i++) {
    const { job } = await api<{ job: { status: string } }>(`/api/jobs/${d.id}`);
    if (!["waiting", "active", "delayed"].includes(job.status)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const id of modelIds) await api(`/api/models/${id}`, { method: "DELETE" });
}

function DownloadRow({ d, role, now, refresh }: { d: DownloadDto; role: string; now: number | null; refresh: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const act = (path: string) => api(path, { body: {} }).then(refresh, (e: Error) => setError(e.message));
  const canAct = role !== "viewer";
  const s = d.summary as { source?: string; repo?: string; models?: string[]; revision?: string; modelIds?: string[] };
  const title = s.source === "meta" ? `Meta ${s.models?.join(", ")}` : `${s.repo}@${s.revision}`;
  const running = ["waiting", "active", "delayed"].includes(d.status);
  const eta = d.detail?.etaSeconds;
  const linkLeft = d.linkExpiresAt && now !== null ? (new Date(d.linkExpiresAt).getTime() - now) / 1000 : null;
  return (
    <div className="card" data-job-id={d.id} data-status={d.status} style={{ marginBottom: 12 }}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>{title}</strong>
        <span className={`status ${d.status}`}>{d.status}</span>
      </div>
      <div className="muted">
        {Math.round(d.progress)}%{d.detail?.bytesTotal ? ` · ${formatBytes(d.detail.bytesDone ?? 0)} of ${formatBytes(d.detail.bytesTotal)}` : ""}
        {running && d.detail?.speedBps ? ` · ${formatBytes(d.detail.speedBps)}/s · ETA ${formatDuration(eta)}` : ""}
        {d.linkExpiresAt && <> · link <Countdown until={d.linkExpiresAt} now={now} /></>}
      </div>
      {running && linkLeft !== null && eta != null && eta > linkLeft && <div className="notice">At this speed the link expires before the download ends: paste a new link below to continue without a stop.</div>}
      <ProgressBar pct={d.progress} label={`progress of ${d.id}`} />
      {d.detail?.files?.map((f) => (
        <div key={f.path} className="row" data-file={f.path} style={{ marginTop: 6 }}>
          <span className="mono" style={{ width: 280 }}>{f.path}</span>
          <ProgressBar pct={f.bytesTotal ? (f.bytesDone / f.bytesTotal) * 100 : 0} label={`progress of ${f.path}`} />
          <span className="muted">
            {formatBytes(f.bytesDone)}/{formatBytes(f.bytesTotal)}
            {f.bytesDone < f.bytesTotal && running && f.speedBps ? ` · ${formatBytes(f.speedBps)}/s · ETA ${formatDuration(f.etaSeconds)}` : ""}
          </span>
        </div>
      ))}
      {d.error && <div className="error" role="alert" style={{ marginTop: 6 }}>{d.error}</div>}
      {canAct && (
        <div className="row" style={{ marginTop: 8 }}>
          {running && <button className="secondary" onClick={() => act(`/api/jobs/${d.id}/cancel`)} title="stops now; downloaded bytes are kept">Pause</button>}
          {["failed", "cancelled"].includes(d.status) && <button onClick={() => act(`/api/jobs/${d.id}/retry`)}>Resume</button>}
          {role === "admin" && d.status !== "completed" && (
            <button
              className="danger"
              title="stops the download and deletes its partial files"
              onClick={() => window.confirm("Cancel this download and delete the bytes downloaded so far?") && discard(d, s.modelIds ?? []).then(refresh, (e: Error) => setError(e.message))}
            >
              Cancel
            </button>
          )}
          {s.source === "meta" && d.status !== "completed" && <Relink jobId={d.id} onDone={refresh} />}
        </div>
      )}
      {error && <div className="error">{error}</div>}
    </div>
  );
}

export function DownloadsClient({ initial, catalog, tokens, role }: { initial: DownloadDto[]; catalog: MetaCatalogDto; tokens: Token[]; role: string }) {
  const { data, refresh } = usePoll<{ downloads: DownloadDto[] }>("/api/downloads", { downloads: initial }, 1000);
  const now = useNow();
  const canAct = role !== "viewer";
  const speedBps = data.downloads.filter((d) => d.status === "active").reduce((s, d) => s + (d.detail?.speedBps ?? 0), 0);
  return (
    <>
      {canAct && (
        <div className="row" style={{ alignItems: "flex-start", gap: 32 }}>
          <MetaForm catalog={catalog} speedBps={speedBps} onStarted={refresh} />
          <HfForm tokens={tokens} onStarted={refresh} />
        </div>
      )}
      <h2>Downloads</h2>
      {data.downloads.map((d) => <DownloadRow key={d.id} d={d} role={role} now={now} refresh={refresh} />)}
      {data.downloads.length === 0 && <p className="muted">No downloads yet.</p>}
      <p className="muted">Pause keeps the downloaded bytes and Resume continues from them; Cancel (administrators) also deletes them.</p>
    </>
  );
}
