"use client";
import { useRef, useState } from "react";
import { api } from "@/components/api";
import { useAction, useFeedback } from "@/components/feedback";
import { usePoll } from "@/components/use-poll";
import type { RunnableModelDto } from "@/lib/models/list-runnable-models";
import { familyLabel } from "@/lib/models/model-family";
import type { ConversationDto, ConversationSummaryDto } from "@/lib/playground/conversation-dto";
import type { TurnEvent, TurnMode } from "@/lib/playground/chat-turn";
import type { ChatPresetDto } from "@/lib/playground/presets";
import { DEFAULT_SAMPLING, SamplingFields, toParams, type SamplingForm } from "../runs/sampling-fields";
import { MessageMarkdown } from "./message-markdown";
import { formatStats, samplingFromParams, type MessageStats } from "./message-stats";
import styles from "./playground.module.css";

type Shown = { role: "user" | "assistant"; content: string; stats?: MessageStats; stopped?: boolean };

const PLAYGROUND_SAMPLING: SamplingForm = { ...DEFAULT_SAMPLING, temperature: "0.7", maxTokens: "256" };

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

/** Enter sends; Shift+Enter (and Enter while an input method composes) is a new line. */
const sendsOnEnter = (e: React.KeyboardEvent) => e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing;

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      className="secondary"
      onClick={() =>
        void navigator.clipboard.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

function Presets({ systemPrompt, sampling, onLoad, canChat }: { systemPrompt: string; sampling: SamplingForm; onLoad: (p: ChatPresetDto) => void; canChat: boolean }) {
  const { data, refresh } = usePoll<{ presets: ChatPresetDto[] }>("/api/playground/presets", { presets: [] }, 60_000);
  const [name, setName] = useState("");
  const [selected, setSelected] = useState("");
  const { confirm } = useFeedback();
  const run = useAction();
  const act = async (f: () => Promise<string>) => {
    await run(f, (msg) => msg);
    refresh();
  };
  const removePreset = async (p: ChatPresetDto) => {
    if (!(await confirm({ title: `Delete the preset “${p.name}”?`, confirmLabel: "Delete" }))) return;
    await act(async () => {
      await api(`/api/playground/presets/${p.id}`, { method: "DELETE" });
      setSelected("");
      return `deleted preset ${p.name}`;
    });
  };
  const current = data.presets.find((p) => p.id === selected);
  return (
    <div className="row">
      <label className="row">
        <span className="muted">Preset</span>
        <select aria-label="preset" value={selected} onChange={(e) => {
          setSelected(e.target.value);
          const p = data.presets.find((x) => x.id === e.target.value);
          if (p) {
            onLoad(p);
            setName(p.name);
          }
        }}>
          <option value="">(none)</option>
          {data.presets.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </label>
      {canChat && (
        <>
          <input aria-label="preset name" placeholder="name" value={name} onChange={(e) => setName(e.target.value)} />
          <button className="secondary" disabled={!name.trim()} onClick={() => void act(async () => {
            const p = await api<ChatPresetDto>("/api/playground/presets", { body: { name, systemPrompt: systemPrompt || null, params: toParams(sampling) } });
            setSelected(p.id);
            return `saved preset ${p.name}`;
          })}>Save preset</button>
          {current && <button className="secondary" onClick={() => void removePreset(current)}>Delete preset</button>}
        </>
      )}
    </div>
  );
}

/** `initialModel`: the model a link chose (the Models page's "Chat"), when it is runnable. */
export function PlaygroundClient({ models, canChat, initialModel }: { models: RunnableModelDto[]; canChat: boolean; initialModel?: string }) {
  const { data, refresh } = usePoll<{ conversations: ConversationSummaryDto[] }>("/api/playground/conversations", { conversations: [] }, 10_000);
  const [conversationId, setConversationId] = useState<string | undefined>();
  const [model, setModel] = useState(models.find((m) => m.name === initialModel)?.name ?? models[0]?.name ?? "");
  const [chatFormat, setChatFormat] = useState("auto");
  const [systemPrompt, setSystemPrompt] = useState("");
  const [sampling, setSampling] = useState<SamplingForm>(PLAYGROUND_SAMPLING);
  const [messages, setMessages] = useState<Shown[]>([]);
  const [input, setInput] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { confirm } = useFeedback();
  const run = useAction();
  // The running turn's job, for Stop; a ref so a Stop right after the first event sees it.
  const jobId = useRef<string | null>(null);

  const open = async (id: string) => {
    const c = await api<ConversationDto>(`/api/playground/conversations/${id}`);
    setConversationId(c.id);
    setSystemPrompt(c.systemPrompt ?? "");
    setChatFormat(c.chatFormat);
    if (c.params) setSampling(samplingFromParams(c.params, PLAYGROUND_SAMPLING));
    const m = models.find((x) => x.id === c.modelId);
    if (m) setModel(m.name);
    setEditing(null);
    setError(null);
    setMessages(c.messages.map((x) => ({ role: x.role, content: x.content, stopped: x.stopped, stats: x.role === "assistant" ? x : undefined })));
  };
  const remove = async (c: ConversationSummaryDto) => {
    if (!(await confirm({ title: `Delete the conversation “${c.title}”?`, body: "Its messages are deleted for good.", confirmLabel: "Delete" }))) return;
    await run(() => api(`/api/playground/conversations/${c.id}`, { method: "DELETE" }), `deleted the conversation “${c.title}”`);
    if (c.id === conversationId) {
      setConversationId(undefined);
      setMessages([]);
    }
    refresh();
  };
  const stop = async () => {
    if (!jobId.current) return;
    try {
      await api("/api/playground/chat/stop", { body: { jobId: jobId.current } });
    } catch (err) {
      setError((err as Error).message);
    }
  };

  /** One turn: `kept` is the conversation as shown before it (a regenerate or edit drops the last exchange). */
  const turn = async (mode: TurnMode, kept: Shown[], text?: string) => {
    const before = messages;
    let queued = false;
    setBusy(true);
    setError(null);
    jobId.current = null;
    const user: Shown[] = text === undefined ? [] : [{ role: "user", content: text }];
    setMessages([...kept, ...user, { role: "assistant", content: "" }]);
    const update = (f: (last: Shown) => Shown) => setMessages((m) => [...m.slice(0, -1), f(m[m.length - 1]!)]);
    try {
      const res = await fetch("/api/playground/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conversationId, model, chatFormat, systemPrompt: systemPrompt || undefined, params: toParams(sampling), message: text, mode }),
      });
      if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? `request failed with ${res.status}`);
      queued = true;
      for await (const e of readEvents(res)) {
        if (e.type === "conversation") {
          setConversationId(e.id);
          jobId.current = e.jobId;
        } else if (e.type === "text") update((l) => ({ ...l, content: l.content + e.text }));
        else if (e.type === "error") throw new Error(e.message);
        else if (e.type === "stopped") update((l) => ({ ...l, stopped: true }));
        else if (e.type === "done") {
          const r = e.result;
          update((l) => ({ ...l, content: r.text, stats: { tokensIn: r.promptTokens, tokensOut: r.completionTokens, ttftMs: r.ttftMs, durationMs: r.durationMs } }));
        }
      }
      refresh();
    } catch (err) {
      if (queued) {
        // No reply was stored: drop the bubble rather than leave an empty or half answer that the conversation lacks.
        setMessages((m) => (m[m.length - 1]?.role === "assistant" ? m.slice(0, -1) : m));
      } else {
        // Refused before anything was stored: the conversation is as it was, and a new message goes back to the input.
        setMessages(before);
        if (mode === "send" && text !== undefined) setInput(text);
      }
      setError((err as Error).message);
    } finally {
      jobId.current = null;
      setBusy(false);
    }
  };
  const send = () => {
    const text = input.trim();
    if (!text || busy) return;
    setInput("");
    void turn("send", messages, text);
  };
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  const regenerate = () => void turn("regenerate", messages.slice(0, lastUser + 1));
  const resendEdit = () => {
    const text = editing?.trim();
    if (!text || busy) return;
    setEditing(null);
    void turn("edit", messages.slice(0, lastUser), text);
  };

  if (models.length === 0) return <p className="muted">No GGUF model is ready yet: download and convert one on the Models page.</p>;
  return (
    <div className={styles.layout}>
      <div className="stack" style={{ gap: 4 }}>
        <button className="secondary" onClick={() => (setConversationId(undefined), setMessages([]), setError(null), setEditing(null))} disabled={busy}>New conversation</button>
        {data.conversations.map((c) => (
          <div key={c.id} className={styles.conversation}>
            <a href="#" onClick={(e) => (e.preventDefault(), !busy && void open(c.id))} style={{ fontWeight: c.id === conversationId ? 700 : 400 }}>{c.title}</a>
            {canChat && <button className="secondary" aria-label={`delete ${c.title}`} onClick={() => void remove(c)}>×</button>}
          </div>
        ))}
      </div>
      <div className={styles.chat}>
        <div className="row">
          <select aria-label="model" value={model} onChange={(e) => setModel(e.target.value)}>
            {models.map((m) => <option key={m.id} value={m.name}>{m.family ? `${m.name} (${familyLabel(m.family)})` : m.name}</option>)}
          </select>
          <select aria-label="chat format" value={chatFormat} onChange={(e) => setChatFormat(e.target.value)}>
            <option value="auto">Model&apos;s template</option>
            <option value="llama2">Llama 2 [INST]</option>
          </select>
        </div>
        <Presets canChat={canChat} systemPrompt={systemPrompt} sampling={sampling} onLoad={(p) => (setSystemPrompt(p.systemPrompt ?? ""), setSampling(samplingFromParams(p.params, PLAYGROUND_SAMPLING)))} />
        <textarea aria-label="system prompt" placeholder="system prompt (optional)" rows={2} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
        <SamplingFields value={sampling} onChange={setSampling} />
        <div className={styles.messages} data-testid="messages">
          {messages.map((m, i) => {
            const last = i === messages.length - 1;
            const streaming = busy && last && m.role === "assistant";
            return (
              <div key={i} className={`card ${styles.message}`} data-role={m.role}>
                <div className={styles.head}>
                  <span className="title">{m.role}</span>
                  {!streaming && (
                    <span className={styles.actions}>
                      <CopyButton text={m.content} />
                      {canChat && !busy && i === lastUser && editing === null && <button className="secondary" onClick={() => setEditing(m.content)}>Edit</button>}
                      {canChat && !busy && last && m.role === "assistant" && <button className="secondary" onClick={regenerate}>Regenerate</button>}
                    </span>
                  )}
                </div>
                {i === lastUser && editing !== null ? (
                  <div className="stack" style={{ maxWidth: "none" }}>
                    <textarea aria-label="edit message" rows={3} value={editing} onChange={(e) => setEditing(e.target.value)}
                      onKeyDown={(e) => sendsOnEnter(e) && (e.preventDefault(), resendEdit())} />
                    <div className="row">
                      <button onClick={resendEdit} disabled={!editing.trim()}>Save and send</button>
                      <button className="secondary" onClick={() => setEditing(null)}>Cancel</button>
                    </div>
                  </div>
                ) : (
                  <MessageMarkdown text={m.content} />
                )}
                {streaming && m.content === "" && <div className="muted">waiting for the first token…</div>}
                {m.stopped && <div className={styles.stopped}>stopped</div>}
                {m.stats && formatStats(m.stats) && <div className="muted">{formatStats(m.stats)}</div>}
              </div>
            );
          })}
          {canChat && !busy && lastUser === messages.length - 1 && lastUser >= 0 && editing === null && (
            <div className="row"><button className="secondary" onClick={regenerate}>Retry</button></div>
          )}
        </div>
        {error && <span className="error" role="alert">{error}</span>}
        {canChat ? (
          <div className={styles.composer}>
            <div className={styles.composerRow}>
              <textarea aria-label="message" rows={3} value={input} onChange={(e) => setInput(e.target.value)}
                onKeyDown={(e) => sendsOnEnter(e) && (e.preventDefault(), send())} />
              {busy ? <button className="danger" onClick={() => void stop()}>Stop</button> : <button onClick={send} disabled={!input.trim()}>Send</button>}
            </div>
            <span className="muted">Enter to send · Shift+Enter for a new line</span>
          </div>
        ) : (
          <p className="muted">Viewers can read; members chat.</p>
        )}
      </div>
    </div>
  );
}
