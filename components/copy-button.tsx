"use client";
import { useFeedback } from "./feedback";

/** Copies `text` to the clipboard and says so in a toast (or why it could not). */
export function CopyButton({ text, label = "Copy", what }: { text: string; label?: string; what: string }) {
  const { toast } = useFeedback();
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => toast(`${what} copied to the clipboard`),
      () => toast(`could not copy the ${what}: select it and copy it yourself`, "error"),
    );
  return (
    <button type="button" className="secondary" aria-label={`Copy ${what}`} onClick={() => void copy()}>
      {label}
    </button>
  );
}
