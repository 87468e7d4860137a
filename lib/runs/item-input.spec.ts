import { describe, expect, it } from "vitest";
import { itemInput } from "./item-input";

describe("itemInput", () => {
  it("puts a completion run's system prompt before the prompt", () => {
    expect(itemInput({ mode: "completion", chatFormat: "auto", systemPrompt: "Context", input: { prompt: "Q" } })).toEqual({ mode: "completion", prompt: "Context\n\nQ" });
  });

  it("turns a prompt into a user message of a chat run, with the run's system message", () => {
    expect(itemInput({ mode: "chat", chatFormat: "llama2", systemPrompt: "Be brief.", input: { prompt: "Q" } })).toEqual({
      mode: "chat",
      chatFormat: "llama2",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Q" },
      ],
    });
  });

  it("keeps an item's own system message", () => {
    const messages = [{ role: "system" as const, content: "mine" }, { role: "user" as const, content: "Q" }];
    expect(itemInput({ mode: "chat", chatFormat: "auto", systemPrompt: "run's", input: { messages } })).toEqual({ mode: "chat", chatFormat: "auto", messages });
  });
});
