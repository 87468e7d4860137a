import { describe, expect, it } from "vitest";
import { planTurn } from "./chat-turn";

const history = [
  { id: "u1", role: "user", content: "hi" },
  { id: "a1", role: "assistant", content: "hello" },
  { id: "u2", role: "user", content: "tell me more" },
  { id: "a2", role: "assistant", content: "sure" },
];

describe("planTurn", () => {
  it("sends a new message after the whole conversation", () => {
    expect(planTurn(history, "send", "next")).toEqual({ drop: [], keep: history, message: "next", store: true });
  });
  it("regenerate drops the last reply and sends the last user message again, without storing it twice", () => {
    expect(planTurn(history, "regenerate", undefined)).toEqual({ drop: ["a2"], keep: history.slice(0, 2), message: "tell me more", store: false });
  });
  it("regenerate after a failed turn (no reply stored) drops nothing", () => {
    expect(planTurn(history.slice(0, 3), "regenerate", undefined)).toEqual({ drop: [], keep: history.slice(0, 2), message: "tell me more", store: false });
  });
  it("edit replaces the last user message and drops its reply", () => {
    expect(planTurn(history, "edit", "tell me less")).toEqual({ drop: ["u2", "a2"], keep: history.slice(0, 2), message: "tell me less", store: true });
  });
  it("refuses a turn without a message, and regenerate or edit with no user message", () => {
    expect(() => planTurn(history, "send", undefined)).toThrow("a message is required");
    expect(() => planTurn([], "regenerate", undefined)).toThrow("no user message");
    expect(() => planTurn(history, "edit", "")).toThrow("the edited message is required");
  });
});
