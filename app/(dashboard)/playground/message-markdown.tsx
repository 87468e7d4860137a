"use client";
import Markdown from "react-markdown";
import remarkGfm from "remark-gfm";
import styles from "./playground.module.css";

/**
 * A message as markdown (GitHub's flavour: tables, code fences, task lists). Raw HTML in the text is escaped, never
 * parsed (no rehype-raw), and react-markdown drops javascript: links. Images are shown as their alt text and address:
 * a model's output must not make the browser fetch anything.
 */
export function MessageMarkdown({ text }: { text: string }) {
  return (
    <div className={styles.markdown} data-testid="content">
      <Markdown remarkPlugins={[remarkGfm]} components={{ img: ({ alt, src }) => <span>{`[image: ${alt ?? ""}${typeof src === "string" ? ` ${src}` : ""}]`}</span> }}>
        {text}
      </Markdown>
    </div>
  );
}
