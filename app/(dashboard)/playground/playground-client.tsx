"use client";
import { useState } from "react";
import { api } from "@/components/api";
import { usePoll } from "@/components/use-poll";
import type { RunnableModelDto } from "@/lib/inference/list-runnable-models";
import { familyLabel } from "@/lib/models/model-family";
import type { ConversationDto, ConversationSummaryDto } from "@/lib/inference/playground/conversation-dto";
import type { TurnEvent } from "@/lib/inference/playground/chat-turn";
import { DEFAULT_SAMPLING, SamplingFields, toParams, type SamplingForm } from "../runs/sampling-fields";

type Shown = { role: "user" | "assistant"; content: string; meta?: string };

/** Reads a server-sent event stream of JSON `data:` lines. */
async function* readEvents(res: Response): AsyncGenerator<TurnEvent> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const line = buf.slice(0, end);
      buf = buf.slice(end + 2);
      if (line.startsWith("data: ")) yield JSON.parse(line.slice(6)) as TurnEvent;
    }
  }
}

export function PlaygroundClient({ models, canChat }: { models: RunnableModelDto[]; canChat: boolean }) {
  const { data, refresh } = usePoll<{ conversations: ConversationSummaryDto[] }>("/api/playground/conversations", { conversations: [] }, 10_000);
  const [conversationId, setConversationId] = useState<string | undefined>();
  const [model, setModel] = useState(models[0]?.name ?? "");
  const [chatFormat, setChatFormat] = useState("auto");
  const [systemPrompt, setSystemPrompt] = useState("");
  const [sampling, setSampling] = useState<SamplingForm>({ ...DEFAULT_SAMPLING, temperature: "0.7", maxTokens: "256" });
  const [messages, setMessages] = useState<Shown[]>([]);
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const open = async (id: string) => {
    const c = await api<ConversationDto>(`/api/playground/conversations/${id}`);
    setConversationId(c.id);
    setSystemPrompt(c.systemPrompt ?? "");
    setChatFormat(c.chatFormat);
    const m = models.find((x) => x.id === c.modelId);
    if (m) setModel(m.name);
    setMessages(c.messages.map((x) => ({ role: x.role, content: x.content })));
  };
  const remove = async (id: string) => {
    await api(`/api/playground/conversations/${id}`, { method: "DELETE" });
    if (id === conversationId) {
      setConversationId(undefined);
      setMessages([]);
    }
    refresh();
  };
  const send = async () => {
    const text = input.trim();
    if (!text) return;
    setBusy(true);
    setError(null);
    setInput("");
    setMessages((m) => [...m, { role: "user", content: text }, { role: "assistant", content: "" }]);
    const append = (f: (last: Shown) => Shown) => setMessages((m) => [...m.slice(0, -1), f(m[m.length - 1]!)]);
    try {
      const res = await fetch("/api/playground/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conversationId, model, chatFormat, systemPrompt: systemPrompt || undefined, params: toParams(sampling), message: text }),
      });
      if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? `request failed with ${res.status}`);
      for await (const e of readEvents(res)) {
        if (e.type === "conversation") setConversationId(e.id);
        else if (e.type === "text") append((l) => ({ ...l, content: l.content + e.text }));
        else if (e.type === "error") throw new Error(e.message);
        else if (e.type === "done") {
          const r = e.result;
          append((l) => ({ ...l, meta: `${r.completionTokens} tokens · first token ${r.ttftMs} ms · ${(r.completionTokens / Math.max(0.001, r.durationMs / 1000)).toFixed(1)} tokens/s` }));
        }
      }
      refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (models.length === 0) return <p className="muted">No GGUF model is ready yet: download and convert one on the Models page.</p>;
  return (
    <div style={{ display: "grid", gridTemplateColumns: "220px 1fr", gap: 16 }}>
      <div className="stack" style={{ gap: 4 }}>
        <button className="secondary" onClick={() => (setConversationId(undefined), setMessages([]))}>New conversation</button>
        {data.conversations.map((c) => (
          <div key={c.id} className="row" style={{ justifyContent: "space-between" }}>
            <a href="#" onClick={(e) => (e.preventDefault(), void open(c.id))} style={{ fontWeight: c.id === conversationId ? 700 : 400 }}>{c.title}</a>
            {canChat && <button className="secondary" aria-label={`delete ${c.title}`} onClick={() => void remove(c.id)}>×</button>}
          </div>
        ))}
      </div>
      <div className="stack" style={{ maxWidth: "none" }}>
        <div className="row">
          <select aria-label="model" value={model} onChange={(e) => setModel(e.target.value)}>
            {models.map((m) => <option key={m.id} value={m.name}>{m.family ? `${m.name} (${familyLabel(m.family)})` : m.name}</option>)}
          </select>
          <select aria-label="chat format" value={chatFormat} onChange={(e) => setChatFormat(e.target.value)}>
            <option value="auto">Model's template</option>
            <option value="llama2">Llama 2 [INST]</option>
          </select>
        </div>
        <textarea aria-label="system prompt" placeholder="system prompt (optional)" rows={2} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
        <SamplingFields value={sampling} onChange={setSampling} />
        <div className="stack" data-testid="messages" style={{ maxWidth: "none" }}>
          {messages.map((m, i) => (
            <div key={i} className="card" data-role={m.role}>
              <div className="title">{m.role}</div>
              <div style={{ whiteSpace: "pre-wrap" }}>{m.content}</div>
              {m.meta && <div className="muted">{m.meta}</div>}
            </div>
          ))}
        </div>
        {canChat ? (
          <div className="row">
            <textarea aria-label="message" rows={3} style={{ flex: 1 }} value={input} onChange={(e) => setInput(e.target.value)}
              onKeyDown={(e) => e.key === "Enter" && (e.ctrlKey || e.metaKey) && void send()} />
            <button onClick={() => void send()} disabled={busy || !input.trim()}>Send</button>
          </div>
        ) : (
          <p className="muted">Viewers can read; members chat.</p>
        )}
        {error && <span className="error" role="alert">{error}</span>}
      </div>
    </div>
  );
}
