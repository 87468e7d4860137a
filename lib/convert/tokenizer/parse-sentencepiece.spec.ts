import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConvertError } from "../errors";
import { FIXTURE } from "../../../test/helpers/gguf-fixtures";
import { parseSentencePiece, PieceType } from "./parse-sentencepiece";

describe("parseSentencePiece", () => {
  it("reads the Llama 2 model: 32000 pieces with scores, types and TrainerSpec ids", async () => {
    const file = path.join(FIXTURE, "hf/tokenizer.model");
    const sp = parseSentencePiece({ data: await readFile(file), file });
    expect(sp.pieces).toHaveLength(32000);
    expect(sp.pieces.slice(0, 4)).toEqual([
      { piece: "<unk>", score: 0, type: PieceType.Unknown },
      { piece: "<s>", score: 0, type: PieceType.Control },
      { piece: "</s>", score: 0, type: PieceType.Control },
      { piece: "<0x00>", score: 0, type: PieceType.Byte },
    ]);
    expect(sp.pieces[30143]?.piece).toBe("\uFEFF"); // a BOM-only piece must survive decoding
    expect(sp.pieces[9038]).toMatchObject({ piece: "▁Once", type: PieceType.Normal });
    expect({ unk: sp.unkId, bos: sp.bosId, eos: sp.eosId, pad: sp.padId }).toEqual({ unk: 0, bos: 1, eos: 2, pad: -1 });
  });

  it("rejects data that is not a ModelProto", () => {
    for (const data of [Buffer.from("hello world"), Buffer.from([0x0a, 0xff, 0x01]), Buffer.alloc(0)]) {
      expect(() => parseSentencePiece({ data, file: "tokenizer.model" })).toThrow(ConvertError);
    }
    expect(() => parseSentencePiece({ data: Buffer.from([0x0a, 0x05, 0x0a, 0x01]), file: "t.model" })).toThrow(/t\.model: not a SentencePiece model/);
  });
});
