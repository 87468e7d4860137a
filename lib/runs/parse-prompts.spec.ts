import { describe, expect, it } from "vitest";
import { parsePrompts } from "./parse-prompts";

describe("parsePrompts", () => {
  it("reads JSONL prompts and messages with ids and metadata", () => {
    const content = [
      JSON.stringify({ id: 7, prompt: "a", metadata: { k: 1 } }),
      "",
      JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    ].join("\n");
    const r = parsePrompts({ content, format: "jsonl", mode: "chat" });
    expect(r.errors).toEqual([]);
    expect(r.items).toEqual([
      { externalId: "7", input: { prompt: "a" }, metadata: { k: 1 } },
      { input: { messages: [{ role: "user", content: "hi" }] } },
    ]);
  });

  it("reports every bad JSONL row with its line number", () => {
    const content = ['{"prompt": "ok"}', "{not json", '{"prompt": ""}', '{"prompt": "a", "messages": [{"role": "user", "content": "b"}]}', '{"messages": [{"role": "robot", "content": "x"}]}'].join("\n");
    const r = parsePrompts({ content, format: "jsonl", mode: "chat" });
    expect(r.items).toHaveLength(1);
    expect(r.errors.map((e) => e.row)).toEqual([2, 3, 4, 5]);
    expect(r.errors[0]!.message).toBe("not valid JSON");
    expect(r.errors[2]!.message).toContain("exactly one of prompt or messages");
  });

  it("refuses messages rows in a completion run", () => {
    const r = parsePrompts({ content: '{"messages": [{"role": "user", "content": "b"}]}', format: "jsonl", mode: "completion" });
    expect(r.errors).toEqual([{ row: 1, message: "messages rows need a chat run; completion runs take prompt rows" }]);
  });

  it("reads CSV with a prompt column; other columns become metadata; rows count from the header", () => {
    const r = parsePrompts({ content: 'id,prompt,topic\n1,"Hello, world",greeting\n2,,empty\n', format: "csv", mode: "completion" });
    expect(r.items).toEqual([{ externalId: "1", input: { prompt: "Hello, world" }, metadata: { topic: "greeting" } }]);
    expect(r.errors).toEqual([{ row: 3, message: "prompt is empty" }]);
  });

  it("needs a prompt column in CSV", () => {
    expect(parsePrompts({ content: "text\nhello\n", format: "csv", mode: "completion" }).errors).toEqual([{ row: 1, message: "the CSV has no prompt column" }]);
  });

  it("takes one prompt per non-empty line of text", () => {
    expect(parsePrompts({ content: "a\n\n b \r\n", format: "lines", mode: "completion" }).items).toEqual([{ input: { prompt: "a" } }, { input: { prompt: " b " } }]);
  });
});
