"use client";
import { useState } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import { ProgressBar } from "@/components/progress-bar";
import { usePoll } from "@/components/use-poll";
import { ITEM_STATUSES, type RunDto, type RunItemDto } from "@/lib/runs/run-dto";
import { ThroughputChart } from "./throughput-chart";

const PAGE = 100;

function inputText(i: RunItemDto): string {
  return "prompt" in i.input ? i.input.prompt : i.input.messages.map((m) => `${m.role}: ${m.content}`).join("\n");
}

export function RunClient({ initial, canAct }: { initial: RunDto; canAct: boolean }) {
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const perform = useAction();
  const { confirm } = useFeedback();
  const qs = new URLSearchParams({ offset: String(offset), limit: String(PAGE), ...(status ? { status } : {}) });
  const { data: run, refresh } = usePoll<RunDto>(`/api/runs/${initial.id}?${qs}`, initial, 1000);
  const c = run.counts;
  const done = c.completed + c.failed + c.cancelled;
  const open = run.status === "queued" || run.status === "running";
  const act = async (what: "cancel" | "retry") => {
    if (what === "cancel" && !(await confirm({ title: `Cancel run ${run.name}?`, body: "Items not yet answered are not run; answers so far are kept.", confirmLabel: "Cancel run" }))) return;
    if (await perform(() => api(`/api/runs/${run.id}/${what}`, { body: {} }), what === "cancel" ? `run ${run.name} cancelled` : `failed items of ${run.name} queued again`)) refresh();
  };
  return (
    <>
      <div className="row" style={{ marginBottom: 12 }}>
        <span className={`status ${run.status}`} data-testid="run-status">{run.status}</span>
        <span className="muted">{run.modelName} · {run.mode}{run.mode === "chat" ? ` (${run.chatFormat})` : ""} · temperature {run.params.temperature} · max {run.params.maxTokens} tokens</span>
      </div>
      {run.blockedReason && <p className="notice" role="status" data-testid="run-blocked">Waiting: {run.blockedReason}</p>}
      <div className="cards">
        {(["pending", "running", "completed", "failed", "cancelled"] as const).map((s) => (
          <div className="card" key={s}>
            <div className="title">{s}</div>
            <div className="big" data-testid={`count-${s}`}>{c[s]}</div>
          </div>
        ))}
        <div className="card">
          <div className="title">tokens/s</div>
          <div className="big" data-testid="tokens-per-second">{run.tokensPerSecond.toFixed(1)}</div>
        </div>
      </div>
      <div style={{ margin: "12px 0" }}>
        <ProgressBar pct={run.total ? (done / run.total) * 100 : 0} label="run progress" />
        <div className="muted" data-testid="run-progress">{done}/{run.total} done · {run.tokensOut} tokens generated</div>
      </div>
      <ThroughputChart points={run.throughput} />
      <div className="row" style={{ margin: "12px 0" }}>
        {canAct && open && <button className="danger" onClick={() => act("cancel")}>Cancel run</button>}
        {canAct && (c.failed > 0 || c.cancelled > 0) && !open && <button className="secondary" onClick={() => act("retry")}>Retry failed</button>}
        <a className="button" href={`/api/runs/${run.id}/export?format=jsonl`} download>Export JSONL</a>
        <a className="button" href={`/api/runs/${run.id}/export?format=csv`} download>Export CSV</a>
        <select aria-label="item status filter" value={status} onChange={(e) => (setStatus(e.target.value), setOffset(0))}>
          <option value="">all items</option>
          {ITEM_STATUSES.map((s) => <option key={s}>{s}</option>)}
        </select>
      </div>
      <table>
        <thead>
          <tr><th>#</th><th>status</th><th>input</th><th>output</th><th>tokens in/out</th><th>first token</th><th>duration</th></tr>
        </thead>
        <tbody>
          {run.items.map((i) => (
            <tr key={i.id} data-item-index={i.index} data-status={i.status}>
              <td className="muted">{i.externalId ?? i.index}</td>
              <td><span className={`status ${i.status}`}>{i.status}</span></td>
              <td style={{ whiteSpace: "pre-wrap", maxWidth: 280 }}>{inputText(i)}</td>
              <td style={{ whiteSpace: "pre-wrap", maxWidth: 420 }} className={i.error ? "error" : undefined}>{i.output ?? i.error ?? ""}</td>
              <td className="muted">{i.tokensIn ?? "–"}/{i.tokensOut ?? "–"}</td>
              <td className="muted">{i.ttftMs != null ? `${i.ttftMs} ms` : "–"}</td>
              <td className="muted">{i.durationMs != null ? `${i.durationMs} ms` : "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {run.itemsTotal > PAGE && (
        <div className="row" style={{ marginTop: 8 }}>
          <button className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
          <span className="muted">{offset + 1}–{Math.min(offset + PAGE, run.itemsTotal)} of {run.itemsTotal}</span>
          <button className="secondary" disabled={offset + PAGE >= run.itemsTotal} onClick={() => setOffset(offset + PAGE)}>Next</button>
        </div>
      )}
    </>
  );
}
