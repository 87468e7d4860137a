// The hyper-parameters a person compares between checkpoints, read from an HF `config.json` or Meta's `params.json`
// as recorded with the model (pull-hf-model.ts, pull-meta-models.ts).

export type ConfigFact = { label: string; value: string };

type Json = Record<string, unknown>;

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v.toLocaleString("en-US") : null);
const str = (v: unknown) => (typeof v === "string" && v ? v : null);

function rope(theta: unknown, scaling: unknown): string | null {
  const base = num(theta) ? `θ ${num(theta)}` : null;
  const s = scaling && typeof scaling === "object" ? (scaling as Json) : null;
  const kind = s ? (str(s.rope_type) ?? str(s.type)) : null;
  const how = kind ? `${kind}${num(s?.factor) ? ` ×${num(s?.factor)}` : ""}` : null;
  return [base, how].filter(Boolean).join(", ") || null;
}

/** HF `config.json`: a text model's own keys, or those of its `text_config` (multimodal checkpoints). */
function fromHf(c: Json): ConfigFact[] {
  const t = c.text_config && typeof c.text_config === "object" ? { ...c, ...(c.text_config as Json) } : c;
  const heads = num(t.num_attention_heads);
  const kv = num(t.num_key_value_heads);
  const arch = Array.isArray(c.architectures) ? str(c.architectures[0]) : null;
  return [
    { label: "architecture", value: [arch, str(c.model_type) && `(${String(c.model_type)})`].filter(Boolean).join(" ") },
    { label: "layers", value: num(t.num_hidden_layers) },
    { label: "hidden size", value: num(t.hidden_size) },
    { label: "intermediate size", value: num(t.intermediate_size) },
    { label: "attention heads", value: heads && `${heads}${kv ? ` (${kv} KV heads)` : ""}` },
    { label: "vocabulary", value: num(t.vocab_size) },
    { label: "context length", value: num(t.max_position_embeddings) && `${num(t.max_position_embeddings)} tokens` },
    { label: "RoPE", value: rope(t.rope_theta, t.rope_scaling) },
    { label: "dtype", value: str(t.torch_dtype) ?? str(t.dtype) },
  ].filter((f): f is ConfigFact => !!f.value);
}

/** Meta `params.json` (dim, n_layers, n_heads, …). */
function fromMeta(p: Json): ConfigFact[] {
  const heads = num(p.n_heads);
  const kv = num(p.n_kv_heads);
  return [
    { label: "layers", value: num(p.n_layers) },
    { label: "hidden size", value: num(p.dim) },
    { label: "attention heads", value: heads && `${heads}${kv ? ` (${kv} KV heads)` : ""}` },
    // Llama 2's params.json says -1: the vocabulary is the tokenizer's.
    { label: "vocabulary", value: typeof p.vocab_size === "number" && p.vocab_size > 0 ? num(p.vocab_size) : null },
    { label: "RoPE", value: rope(p.rope_theta, p.use_scaled_rope ? { rope_type: "llama3" } : null) },
  ].filter((f): f is ConfigFact => !!f.value);
}

/**
 * The readable summary of a model's recorded metadata: `config` (HF) or `params` (Meta); empty when neither was
 * recorded (the page then shows the raw JSON only).
 */
export function summarizeConfig(metadata: Record<string, unknown> | null): ConfigFact[] {
  const hf = metadata?.config;
  if (hf && typeof hf === "object") return fromHf(hf as Json);
  const meta = metadata?.params;
  if (meta && typeof meta === "object") return fromMeta(meta as Json);
  return [];
}
