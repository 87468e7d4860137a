import { ConvertError } from "../errors";

/** GPT-2's bytes_to_unicode: each byte as a printable character, the form byte-level BPE vocabularies are written in. */
export const BYTE_TO_UNICODE: readonly string[] = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const out: string[] = [];
  for (const b of bs) out[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (out[b] === undefined) out[b] = String.fromCodePoint(256 + n++);
  return out;
})();

/** Token bytes held as a latin1 string (one char per byte): cheap Map keys and slices. */
const toByteLevel = (latin1: string) => {
  let s = "";
  for (let i = 0; i < latin1.length; i++) s += BYTE_TO_UNICODE[latin1.charCodeAt(i)]!;
  return s;
};

export type TiktokenRanks = {
  /** Token bytes (latin1 strings) in file order, each with its rank. */
  ranks: Map<string, number>;
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A tiktoken BPE file (`base64(token bytes) rank` per line, as tiktoken's load_tiktoken_bpe reads it), checked more
 * strictly than tiktoken does: bad base64, a missing or non-integer rank, a repeated token or rank, or ranks that do not
 * run 0..n-1 are errors naming the file and line.
 */
export function parseTiktoken(params: { data: Buffer; file: string }): TiktokenRanks {
  const { data, file } = params;
  const ranks = new Map<string, number>();
  const lineOfRank = new Map<number, number>();
  const text = data.toString("latin1"); // base64 and digits are ASCII; anything else is rejected below
  const lines = text.split("\n");
  const bad = (line: number, msg: string): never => {
    throw new ConvertError("invalid_tokenizer", `line ${line}: ${msg}`, file);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line === "") continue;
    const parts = line.split(/[ \t]+/).filter((p) => p !== "");
    if (parts.length !== 2) bad(i + 1, `expected "<base64 token> <rank>", got ${parts.length} field(s)`);
    const [b64, rankText] = parts as [string, string];
    if (!BASE64.test(b64)) bad(i + 1, `token is not valid base64: ${JSON.stringify(b64.slice(0, 40))}`);
    if (!/^\d+$/.test(rankText)) bad(i + 1, `rank is not a non-negative integer: ${JSON.stringify(rankText.slice(0, 40))}`);
    const rank = Number(rankText);
    if (!Number.isSafeInteger(rank)) bad(i + 1, `rank ${rankText} is too large`);
    const token = Buffer.from(b64, "base64").toString("latin1");
    if (token === "") bad(i + 1, "token is empty");
    const seenAt = lineOfRank.get(rank);
    if (seenAt !== undefined) bad(i + 1, `rank ${rank} already given on line ${seenAt}`);
    if (ranks.has(token)) bad(i + 1, `token ${b64} already given with rank ${ranks.get(token)}`);
    ranks.set(token, rank);
    lineOfRank.set(rank, i + 1);
  }
  if (ranks.size === 0) throw new ConvertError("invalid_tokenizer", "no tokens (not a tiktoken BPE file)", file);
  for (let r = 0; r < ranks.size; r++) {
    if (!lineOfRank.has(r)) throw new ConvertError("invalid_tokenizer", `ranks must run 0..${ranks.size - 1}; rank ${r} is missing`, file);
  }
  return { ranks };
}

/**
 * The byte-level vocabulary and merges transformers' TikTokenConverter.extract_vocab_merges_from_model derives from
 * tiktoken ranks: for each token (in file order) every split into two known tokens, sorted by the parts' ranks, then
 * all merges stably sorted by the merged token's rank.
 */
export function tiktokenToBpe(t: TiktokenRanks): { vocab: Map<string, number>; merges: [string, string][] } {
  const { ranks } = t;
  const vocab = new Map<string, number>();
  const byteLevel: string[] = [];
  for (const [token, rank] of ranks) {
    byteLevel[rank] = toByteLevel(token);
    vocab.set(byteLevel[rank], rank);
  }
  // Merges as (rank, left rank, right rank) triples in generation order.
  const found: number[] = [];
  let inRankOrder = true;
  let previous = -1;
  for (const [token, rank] of ranks) {
    if (rank < previous) inRankOrder = false;
    previous = rank;
    if (token.length === 1) continue;
    const local: [number, number][] = [];
    for (let i = 1; i < token.length; i++) {
      const lr = ranks.get(token.slice(0, i));
      const rr = lr === undefined ? undefined : ranks.get(token.slice(i));
      if (lr !== undefined && rr !== undefined) local.push([lr, rr]);
    }
    local.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [lr, rr] of local) found.push(rank, lr, rr);
  }
  let order = Array.from({ length: found.length / 3 }, (_, i) => i);
  // A file in rank order (Meta's is) is already sorted; otherwise a stable sort by the merged token's rank.
  if (!inRankOrder) order = order.sort((a, b) => found[3 * a]! - found[3 * b]!);
  return { vocab, merges: order.map((i) => [byteLevel[found[3 * i + 1]!]!, byteLevel[found[3 * i + 2]!]!]) };
}
