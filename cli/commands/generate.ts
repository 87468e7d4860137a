import type { Command } from "commander";
import { config } from "../../lib/config/env";
import { CHAT_FORMATS, type ChatFormat } from "../../lib/generation/sampling";
import { generateOnce } from "../../lib/models/generate-once";

type Opts = {
  prompt: string;
  system?: string;
  chat?: boolean;
  chatFormat: string;
  maxTokens: string;
  temperature: string;
  topP?: string;
  topK?: string;
  repeatPenalty?: string;
  seed?: string;
  stop: string[];
  json?: boolean;
};

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** `depot generate`: one generation in this process (no server), streamed to stdout or as one JSON line. */
export function register(program: Command): void {
  program
    .command("generate <model>")
    .description("generate from a .gguf file or an inventory model, directly (no server)")
    .requiredOption("-p, --prompt <text>", "the prompt (the user message with --chat)")
    .option("--system <text>", "system message (with --chat)")
    .option("--chat", "use the model's chat format instead of a raw completion")
    .option("--chat-format <format>", `chat format: ${CHAT_FORMATS.join(" | ")} (auto: the model's template)`, "auto")
    .option("-n, --max-tokens <n>", "tokens to generate at most", "128")
    .option("-t, --temperature <t>", "0 = greedy", "0.7")
    .option("--top-p <p>")
    .option("--top-k <k>")
    .option("--repeat-penalty <r>")
    .option("--seed <s>")
    .option("--stop <text>", "stop string (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--json", "print one JSON object (text, tokens, promptTokens, timings) on the last line")
    .action(async (model: string, o: Opts) => {
      if (!(CHAT_FORMATS as readonly string[]).includes(o.chatFormat)) throw new Error(`--chat-format must be one of ${CHAT_FORMATS.join(", ")}`);
      const input = o.chat
        ? {
            mode: "chat" as const,
            chatFormat: o.chatFormat as ChatFormat,
            messages: [...(o.system ? [{ role: "system" as const, content: o.system }] : []), { role: "user" as const, content: o.prompt }],
          }
        : { mode: "completion" as const, prompt: o.prompt };
      const r = await generateOnce({
        model,
        input,
        sampling: {
          maxTokens: Number(o.maxTokens),
          temperature: Number(o.temperature),
          topP: num(o.topP),
          topK: num(o.topK),
          repeatPenalty: num(o.repeatPenalty),
          seed: num(o.seed),
          stop: o.stop,
        },
        threads: config().INFERENCE_THREADS || undefined,
        onText: o.json ? undefined : (t) => process.stdout.write(t),
      });
      const timings = {
        ttftMs: Math.round(r.ttftMs),
        durationMs: Math.round(r.durationMs),
        tokensPerSecond: r.tokens.length / Math.max(1e-3, (r.durationMs - r.ttftMs) / 1000),
      };
      if (o.json) {
        console.log(JSON.stringify({ text: r.text, tokens: r.tokens, promptTokens: r.promptTokens, finishReason: r.finishReason, timings }));
      } else {
        process.stdout.write("\n");
        console.error(`${r.promptTokens} prompt tokens, ${r.tokens.length} generated (${r.finishReason}); first token ${timings.ttftMs} ms, ${timings.tokensPerSecond.toFixed(1)} tokens/s`);
      }
    });
}
