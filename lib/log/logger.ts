import { config } from "../config/env";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

// Secrets must never reach a log line: query strings (signed URLs carry Policy/Signature), HF tokens and bearer keys.
const SECRET_PATTERNS: [RegExp, string][] = [
  [/(https?:\/\/[^\s"'?]+)\?[^\s"']*/g, "$1?<redacted>"],
  [/\bhf_[A-Za-z0-9]{8,}/g, "hf_<redacted>"],
  [/\bdepot_[A-Za-z0-9_-]{8,}/g, "depot_<redacted>"],
  [/(Bearer\s+)[^\s"']+/gi, "$1<redacted>"],
];

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((s, [re, sub]) => s.replace(re, sub), text);
}

function write(level: Level, scope: string, msg: string, fields?: Record<string, unknown>) {
  if (LEVELS[level] < LEVELS[config().LOG_LEVEL]) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, scope, msg, ...fields }, (_k, v: unknown) =>
    v instanceof Error ? { name: v.name, message: v.message } : v,
  );
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(redact(line) + "\n");
}

export type Logger = Record<Level, (msg: string, fields?: Record<string, unknown>) => void>;

export function logger(scope: string): Logger {
  return {
    debug: (m, f) => write("debug", scope, m, f),
    info: (m, f) => write("info", scope, m, f),
    warn: (m, f) => write("warn", scope, m, f),
    error: (m, f) => write("error", scope, m, f),
  };
}
