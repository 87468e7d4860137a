import { ConvertError } from "../errors";

/** SentencePiece piece types; the numbering equals GGUF's token types (1 normal … 6 byte). */
export enum PieceType {
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
}

export type SentencePieceModel = {
  pieces: { piece: string; score: number; type: PieceType }[];
  /** TrainerSpec ids (proto defaults 0/1/2/-1). */
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
};

const MAX_PIECES = 10_000_000;

/**
 * Decodes the few ModelProto fields llama.cpp uses (sentencepiece_model.proto: pieces = 1 {piece 1, score 2, type 3},
 * trainer_spec = 2 {unk_id 40, bos_id 41, eos_id 42, pad_id 43}); everything else is skipped by wire type.
 */
export function parseSentencePiece(params: { data: Uint8Array; file: string }): SentencePieceModel {
  const { data, file } = params;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // ignoreBOM keeps a leading U+FEFF: Llama 2 has a piece that is exactly the BOM (id 30143).
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const bad = (msg: string): never => {
    throw new ConvertError("invalid_tokenizer", `not a SentencePiece model: ${msg}`, file);
  };

  /**
   * A varint as a plain number (BigInt cost most of the parse in allocations): exact up to 2^53, far beyond any valid
   * length, key or id; with `int32`, its low 32 bits as a signed int32 field (negative ids are 10-byte varints).
   */
  const readVarint = (r: { pos: number; end: number }, int32: boolean): number => {
    let v = 0;
    let low = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (r.pos >= r.end) bad("truncated varint");
      const b = data[r.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (shift < 32) low |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return int32 ? low | 0 : v;
    }
    return bad("varint too long");
  };
  const varint = (r: { pos: number; end: number }) => readVarint(r, false);
  const int32 = (r: { pos: number; end: number }) => readVarint(r, true);
  /** Calls `onField` for each field of the message in [pos, end); the callback must consume length-delimited payloads it claims. */
  const fields = (start: number, end: number, onField: (field: number, wire: number, r: { pos: number; end: number }) => boolean) => {
    const r = { pos: start, end };
    while (r.pos < end) {
      const key = varint(r);
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (field === 0) bad("field number 0");
      if (onField(field, wire, r)) continue;
      if (wire === 0) varint(r);
      else if (wire === 1) r.pos += 8;
      else if (wire === 5) r.pos += 4;
      else if (wire === 2) {
        const len = varint(r);
        if (len > end - r.pos) bad("length runs past the end");
        r.pos += len;
      } else bad(`unsupported wire type ${wire}`);
      if (r.pos > end) bad("field runs past the end");
    }
  };
  const lengthOf = (r: { pos: number; end: number }) => {
    const len = varint(r);
    if (len > r.end - r.pos) bad("length runs past the end");
    return len;
  };

  const model: SentencePieceModel = { pieces: [], unkId: 0, bosId: 1, eosId: 2, padId: -1 };
  fields(0, data.length, (field, wire, r) => {
    if (field === 1 && wire === 2) {
      const len = lengthOf(r);
      const piece = { piece: "", score: 0, type: PieceType.Normal };
      let hasPiece = false;
      fields(r.pos, r.pos + len, (f, w, rr) => {
        if (f === 1 && w === 2) {
          const n = lengthOf(rr);
          try {
            piece.piece = utf8.decode(data.subarray(rr.pos, rr.pos + n));
          } catch {
            bad("piece is not valid UTF-8");
          }
          hasPiece = true;
          rr.pos += n;
          return true;
        }
        if (f === 2 && w === 5) {
          if (rr.pos + 4 > rr.end) bad("truncated score");
          piece.score = view.getFloat32(rr.pos, true);
          rr.pos += 4;
          return true;
        }
        if (f === 3 && w === 0) {
          const t = int32(rr);
          if (t < PieceType.Normal || t > PieceType.Byte) bad(`unknown piece type ${t}`);
          piece.type = t;
          return true;
        }
        return false;
      });
      if (!hasPiece) bad(`piece ${model.pieces.length} has no text`);
      if (model.pieces.length >= MAX_PIECES) bad("too many pieces");
      model.pieces.push(piece);
      r.pos += len;
      return true;
    }
    if (field === 2 && wire === 2) {
      const len = lengthOf(r);
      fields(r.pos, r.pos + len, (f, w, rr) => {
        if (w !== 0 || f < 40 || f > 43) return false;
        const v = int32(rr);
        if (f === 40) model.unkId = v;
        else if (f === 41) model.bosId = v;
        else if (f === 42) model.eosId = v;
        else model.padId = v;
        return true;
      });
      r.pos += len;
      return true;
    }
    return false;
  });
  if (model.pieces.length === 0) bad("no pieces");
  return model;
}
