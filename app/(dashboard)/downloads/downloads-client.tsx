"use client";
import { useEffect, useState, type FormEvent } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
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
  return left > 0 ? (
    <span data-testid="countdown">
      expires in {formatDuration(left)}
    </span>
  ) : (
    <span className="error" data-testid="countdown">
      expired
    </span>
  );
}

function MetaForm({ catalog, speedBps, onStarted }: { catalog: MetaCatalogDto; speedBps: number; onStarted: () => void }) {
  const { toast } = useFeedback();
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
      toast(`Meta ${chosen.join(", ")}: download queued`);
      onStarted();
    } catch (err) {
      setError((err as Error).message);
      toast((err as Error).message, "error");
    }
  };
  return (
    <form className="stack downloads-form" onSubmit={submit} aria-label="From Meta">
      <h2>From Meta</h2>
      <label className="stack" htmlFor="meta-signed-url">Signed URL from Meta's e-mail</label>
      <textarea id="meta-signed-url" aria-label="signed URL" rows={3} placeholder="https://download.llamameta.net/*?Policy=…" value={url} onChange={(e) => setUrl(e.target.value)} />
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
  const { toast } = useFeedback();
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
      toast(`${String(f.get("repo"))}: download queued`);
      onStarted();
    } catch (err) {
      setError((err as Error).message);
      toast((err as Error).message, "error");
    }
  };
  return (
    <form className="stack downloads-form" onSubmit={submit} aria-label="From Hugging Face">
      <h2>From Hugging Face</h2>
      <label className="stack">
        Repository <input name="repo" aria-label="repo" placeholder="meta-llama/Llama-2-7b-hf" required onChange={() => setGgufs(null)} />
      </label>
      <label className="stack">
        Revision <input name="revision" aria-label="revision" placeholder="main" />
      </label>
      <button type="button" className="secondary" onClick={(e) => listGgufs(e.currentTarget.form)}>List GGUF files</button>
      {ggufs && <GgufPicker ggufs={ggufs} picked={picked} onPick={setPicked} />}
      <label className="stack">
        Include globs <input name="include" aria-label="include" placeholder="*.safetensors,config.json (default: weights + config + tokenizer)" />
      </label>
      <label className="stack">
        Exclude globs <input name="exclude" aria-label="exclude" />
      </label>
      <label className="stack">
        Token for gated repos (checked with the Hub, stored encrypted) <input name="token" aria-label="token" type="password" autoComplete="off" placeholder="hf_…" />
      </label>
      {tokens.length > 0 && (
        <label className="stack">
          Saved token
          <select name="credentialId" aria-label="saved token" defaultValue="">
            <option value="">no saved token</option>
            {tokens.map((t) => <option key={t.id} value={t.id}>{t.label} ({t.hint})</option>)}
          </select>
        </label>
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
  const run = useAction();
  const relink = async () => {
    if (await run(() => api(`/api/downloads/meta/${jobId}`, { method: "PUT", body: { url } }), "new link in use: the download continues")) setUrl("");
    onDone();
  };
  return (
    <label className="row downloads-relink">
      New signed URL <input aria-label={`new link for ${jobId}`} value={url} onChange={(e) => setUrl(e.target.value)} />
      <button type="button" className="secondary" disabled={!url} onClick={relink}>
        Use new link
      </button>
    </label>
  );
}

/** Cancel for good: stop the job, delete its models (which removes the partial files), then its card. */
async function discard(d: DownloadDto, modelIds: string[]): Promise<void> {
  if (["waiting", "active", "delayed"].includes(d.status)) await api(`/api/jobs/${d.id}/cancel`, { body: {} });
  for (let i = 0; i < 100; i++) {
    const { job } = await api<{ job: { status: string } }>(`/api/jobs/${d.id}`);
    if (!["waiting", "active", "delayed"].includes(job.status)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const id of modelIds) await api(`/api/models/${id}`, { method: "DELETE" });
  await api(`/api/downloads/${d.id}`, { method: "DELETE" });
}

/** What to do with a finished download: open its model, convert a checkpoint, chat with a GGUF. */
function NextSteps({ models }: { models: DownloadDto["models"] }) {
  return (
    <div className="downloads-next row">
      {models.map((m) => (
        <span key={m.id} className="row">
          <a className="button secondary" href={`/models/${m.id}`}>Open model{models.length > 1 ? ` ${m.name}` : ""}</a>
          {m.format === "gguf" ? (
            <a className="button" href={`/playground?model=${m.id}`}>Chat</a>
          ) : (
            <a className="button" href={`/models/${m.id}#convert`}>Convert</a>
          )}
        </span>
      ))}
    </div>
  );
}

function DownloadRow({ d, role, now, refresh }: { d: DownloadDto; role: string; now: number | null; refresh: () => void }) {
  const run = useAction();
  const { confirm } = useFeedback();
  const act = (path: string, done: string, init: { method?: string } = {}) => run(() => api(path, { body: {}, ...init }), done).then(refresh);
  const canAct = role !== "viewer";
  const s = d.summary as { source?: string; repo?: string; models?: string[]; revision?: string; modelIds?: string[] };
  const title = s.source === "meta" ? `Meta ${s.models?.join(", ")}` : `${s.repo}@${s.revision}`;
  const running = ["waiting", "active", "delayed"].includes(d.status);
  const finished = ["completed", "failed"].includes(d.status);
  const eta = d.detail?.etaSeconds;
  // A finished download no longer needs its link: no countdown.
  const linkLeft = d.linkExpiresAt && d.status !== "completed" && now !== null ? (new Date(d.linkExpiresAt).getTime() - now) / 1000 : null;
  const cancel = async () => {
    const ok = await confirm({ title: `Cancel ${title}?`, body: "The download stops and the bytes downloaded so far are deleted.", confirmLabel: "Cancel download" });
    if (ok) await run(() => discard(d, s.modelIds ?? []), `${title}: cancelled, its files deleted`).then(refresh);
  };
  return (
    <div className="card downloads-card" data-job-id={d.id} data-status={d.status}>
      <div className="row downloads-head">
        <strong className="downloads-title">{title}</strong>
        <span className={`status ${d.status}`} data-testid="download-status">{d.status}</span>
      </div>
      <div className="muted" data-testid="download-totals">
        {Math.round(d.progress)}%{d.detail?.bytesTotal ? ` · ${formatBytes(d.detail.bytesDone ?? 0)} of ${formatBytes(d.detail.bytesTotal)}` : ""}
        {running && d.detail?.speedBps ? ` · ${formatBytes(d.detail.speedBps)}/s · ETA ${formatDuration(eta)}` : ""}
        {linkLeft !== null && d.linkExpiresAt && <> · link <Countdown until={d.linkExpiresAt} now={now} /></>}
      </div>
      {running && linkLeft !== null && eta != null && eta > linkLeft && <div className="notice">At this speed the link expires before the download ends: paste a new link below to continue without a stop.</div>}
      <ProgressBar pct={d.progress} label={`progress of ${d.id}`} />
      {d.detail?.files?.map((f) => (
        <div key={f.path} className="downloads-file" data-file={f.path}>
          <span className="mono downloads-path">{f.path}</span>
          <ProgressBar pct={f.bytesTotal ? (f.bytesDone / f.bytesTotal) * 100 : 0} label={`progress of ${f.path}`} />
          <span className="muted">
            {formatBytes(f.bytesDone)}/{formatBytes(f.bytesTotal)}
            {f.bytesDone < f.bytesTotal && running && f.speedBps ? ` · ${formatBytes(f.speedBps)}/s · ETA ${formatDuration(f.etaSeconds)}` : ""}
          </span>
        </div>
      ))}
      {d.error && d.status === "failed" && <div className="error" role="alert" style={{ marginTop: 6 }}>{d.error}</div>}
      {d.status === "completed" && <NextSteps models={d.models} />}
      {canAct && (
        <div className="row" style={{ marginTop: 8, flexWrap: "wrap" }}>
          {running && <button className="secondary" onClick={() => act(`/api/jobs/${d.id}/cancel`, `${title}: paused, downloaded bytes kept`)} title="stops now; downloaded bytes are kept">Pause</button>}
          {d.status === "paused" && <button onClick={() => act(`/api/jobs/${d.id}/retry`, `${title}: resumed`)}>Resume</button>}
          {d.status === "failed" && <button onClick={() => act(`/api/jobs/${d.id}/retry`, `${title}: retrying`)}>Retry</button>}
          {finished && <button className="secondary" onClick={() => act(`/api/downloads/${d.id}`, `${title}: dismissed`, { method: "DELETE" })}>Dismiss</button>}
          {role === "admin" && d.status !== "completed" && (
            <button className="danger" title="stops the download and deletes its partial files" onClick={cancel}>
              Cancel
            </button>
          )}
          {s.source === "meta" && d.status !== "completed" && <Relink jobId={d.id} onDone={refresh} />}
        </div>
      )}
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
        <div className="row downloads-forms">
          <MetaForm catalog={catalog} speedBps={speedBps} onStarted={refresh} />
          <HfForm tokens={tokens} onStarted={refresh} />
        </div>
      )}
      <h2>Downloads</h2>
      {data.downloads.map((d) => <DownloadRow key={d.id} d={d} role={role} now={now} refresh={refresh} />)}
      {data.downloads.length === 0 && <p className="muted">No downloads yet.</p>}
      <p className="muted">Pause keeps the downloaded bytes and Resume continues from them; Cancel (administrators) also deletes them. Failed downloads stay here with their reason until retried or dismissed.</p>
    </>
  );
}
