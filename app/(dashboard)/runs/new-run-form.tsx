"use client";
import { useState } from "react";
import { api } from "@/components/api";
import type { RunnableModelDto } from "@/lib/models/list-runnable-models";
import { familyLabel } from "@/lib/models/model-family";
import { DEFAULT_SAMPLING, SamplingFields, toParams, type SamplingForm } from "./sampling-fields";

type RowError = { row: number; message: string };
type Validation = { count: number; errors: RowError[] };

const FORMAT_BY_EXT: Record<string, "jsonl" | "csv" | "lines"> = { jsonl: "jsonl", ndjson: "jsonl", csv: "csv", txt: "lines" };

/** `initialModel`: the model a link chose (the Models page's "Run batch"), when it is runnable. */
export function NewRunForm({ models, initialModel }: { models: RunnableModelDto[]; initialModel?: string }) {
  const [model, setModel] = useState(models.find((m) => m.name === initialModel)?.name ?? models[0]?.name ?? "");
  const [name, setName] = useState("");
  const [mode, setMode] = useState<"completion" | "chat">("completion");
  const [chatFormat, setChatFormat] = useState("auto");
  const [systemPrompt, setSystemPrompt] = useState("");
  const [sampling, setSampling] = useState<SamplingForm>(DEFAULT_SAMPLING);
  const [jsonSchema, setJsonSchema] = useState("");
  const [upload, setUpload] = useState<{ format: "jsonl" | "csv" | "lines"; content: string; name: string } | null>(null);
  const [text, setText] = useState("");
  const [check, setCheck] = useState<Validation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const source = () => upload ?? { format: "lines" as const, content: text };
  const validate = async (src: { format: string; content: string }, m = mode) => {
    setError(null);
    try {
      setCheck(await api<Validation>("/api/runs/validate", { body: { mode: m, upload: { format: src.format, content: src.content } } }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return setUpload(null);
    const format = FORMAT_BY_EXT[file.name.split(".").pop()?.toLowerCase() ?? ""];
    if (!format) return setError(`${file.name}: use a .jsonl, .csv or .txt file`);
    const u = { format, content: await file.text(), name: file.name };
    setUpload(u);
    await validate(u);
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    const src = source();
    try {
      let schema: unknown;
      try {
        schema = jsonSchema.trim() ? JSON.parse(jsonSchema) : undefined;
      } catch {
        throw new Error("the JSON schema is not valid JSON");
      }
      const run = await api<{ id: string }>("/api/runs", {
        body: { model, name: name || undefined, mode, chatFormat, systemPrompt: systemPrompt || undefined, params: { ...toParams(sampling), ...(schema ? { jsonSchema: schema } : {}) }, upload: { format: src.format, content: src.content } },
      });
      window.location.href = `/runs/${run.id}`;
    } catch (e) {
      // Refresh the row check first: it clears the error line, which must then show this failure.
      await validate(src);
      setError((e as Error).message);
      setBusy(false);
    }
  };

  if (models.length === 0) return <p className="muted">No GGUF model is ready yet: download and convert one on the Models page.</p>;
  return (
    <div className="card stack" style={{ maxWidth: 900 }}>
      <div className="row">
        <select aria-label="model" value={model} onChange={(e) => setModel(e.target.value)}>
          {models.map((m) => <option key={m.id} value={m.name}>{m.family ? `${m.name} (${familyLabel(m.family)})` : m.name}</option>)}
        </select>
        <select aria-label="mode" value={mode} onChange={(e) => { const m = e.target.value as "completion" | "chat"; setMode(m); if (upload || text) void validate(source(), m); }}>
          <option value="completion">completion</option>
          <option value="chat">chat</option>
        </select>
        {mode === "chat" && (
          <select aria-label="chat format" value={chatFormat} onChange={(e) => setChatFormat(e.target.value)}>
            <option value="auto">Model's template</option>
            <option value="llama2">Llama 2 [INST]</option>
          </select>
        )}
        <input aria-label="run name" placeholder="run name (optional)" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <textarea aria-label="system prompt" placeholder={mode === "chat" ? "system prompt (optional)" : "text put before every prompt (optional)"} rows={2} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
      <SamplingFields value={sampling} onChange={setSampling} />
      <textarea aria-label="JSON schema" placeholder='JSON schema the outputs must follow (optional), e.g. {"type": "object", "properties": {"label": {"enum": ["spam", "ham"]}}}' rows={2} className="mono" value={jsonSchema} onChange={(e) => setJsonSchema(e.target.value)} />
      <div className="row">
        <label className="muted">
          prompts file (.jsonl, .csv, .txt){" "}
          <input type="file" name="prompts" accept=".jsonl,.ndjson,.csv,.txt" onChange={(e) => void onFile(e.target.files?.[0])} />
        </label>
      </div>
      {!upload && (
        <textarea aria-label="prompts" placeholder="…or one prompt per line" rows={5} value={text} onChange={(e) => setText(e.target.value)} onBlur={() => text.trim() && void validate(source())} />
      )}
      {check && (
        <div data-testid="validation">
          <span className={check.errors.length ? "error" : "muted"}>
            {check.count} prompt(s){check.errors.length ? `, ${check.errors.length} invalid row(s)` : " ready"}
          </span>
          {check.errors.length > 0 && (
            <ul className="error">
              {check.errors.slice(0, 50).map((e) => <li key={e.row}>row {e.row}: {e.message}</li>)}
            </ul>
          )}
        </div>
      )}
      {error && <span className="error" role="alert">{error}</span>}
      <div>
        <button onClick={submit} disabled={busy || (!upload && !text.trim()) || (check?.errors.length ?? 0) > 0}>Start run</button>
      </div>
    </div>
  );
}
