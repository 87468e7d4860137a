import { describe, expect, it } from "vitest";
import { chatRequest, chatToGeneration, completionRequest, completionToGeneration } from "./openai-request";

describe("completionToGeneration", () => {
  it("applies OpenAI's defaults (temperature 1, 16 tokens) and maps stop/seed", () => {
    const g = completionToGeneration(completionRequest.parse({ model: "m", prompt: "hi", stop: "\n", seed: 5 }));
    expect(g).toEqual({ input: { mode: "completion", prompt: "hi" }, sampling: { temperature: 1, topP: 1, seed: 5, maxTokens: 16, stop: ["\n"] } });
  });
});

describe("chatToGeneration", () => {
  it("maps developer to system, joins content parts, and turns a JSON schema response format into a grammar", () => {
    const g = chatToGeneration(
      chatRequest.parse({
        model: "m",
        messages: [
          { role: "developer", content: "be brief" },
          { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
        ],
        max_completion_tokens: 9,
        temperature: 0,
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
        chat_format: "llama2",
      }),
    );
    expect(g.input).toEqual({ mode: "chat", chatFormat: "llama2", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "ab" }] });
    expect(g.sampling).toMatchObject({ temperature: 0, maxTokens: 9, jsonSchema: { type: "object" } });
  });

  it("rejects n > 1", () => {
    expect(chatRequest.safeParse({ model: "m", messages: [{ role: "user", content: "x" }], n: 2 }).success).toBe(false);
  });
});
