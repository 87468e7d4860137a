"use client";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";

type ToastKind = "ok" | "error";
type Toast = { id: number; kind: ToastKind; text: string };
type ConfirmRequest = { title: string; body?: string; confirmLabel: string; resolve: (ok: boolean) => void };

type Feedback = {
  toast: (text: string, kind?: ToastKind) => void;
  /** Resolves true only when the user pressed the confirm button; Escape, Cancel and the backdrop resolve false. */
  confirm: (req: { title: string; body?: string; confirmLabel?: string }) => Promise<boolean>;
};

const FeedbackContext = createContext<Feedback | null>(null);
const TOAST_MS = 5000;

/** One toast region and one confirmation dialog for the whole dashboard (mounted once in its layout). */
export function FeedbackProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [pending, setPending] = useState<ConfirmRequest | null>(null);
  const nextId = useRef(0);
  const dialog = useRef<HTMLDialogElement>(null);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const toast = useCallback(
    (text: string, kind: ToastKind = "ok") => {
      const id = ++nextId.current;
      setToasts((all) => [...all.slice(-4), { id, kind, text }]);
      setTimeout(() => dismiss(id), kind === "error" ? TOAST_MS * 2 : TOAST_MS);
    },
    [dismiss],
  );
  const confirm = useCallback<Feedback["confirm"]>(
    (req) => new Promise((resolve) => setPending({ confirmLabel: "Confirm", ...req, resolve })),
    [],
  );

  useEffect(() => {
    if (pending && !dialog.current?.open) dialog.current?.showModal();
  }, [pending]);
  const answer = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
    dialog.current?.close();
  };

  return (
    <FeedbackContext.Provider value={{ toast, confirm }}>
      {children}
      <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`} data-kind={t.kind}>
            <span>{t.text}</span>
            <button className="link" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
      <dialog ref={dialog} className="confirm" aria-labelledby="confirm-title" onCancel={() => answer(false)}>
        {pending && (
          <form method="dialog" onSubmit={(e) => (e.preventDefault(), answer(true))}>
            <h3 id="confirm-title">{pending.title}</h3>
            {pending.body && <p className="muted">{pending.body}</p>}
            <div className="row" style={{ justifyContent: "flex-end" }}>
              <button type="button" className="secondary" data-testid="confirm-cancel" onClick={() => answer(false)}>
                Cancel
              </button>
              <button type="submit" className="danger" data-testid="confirm-ok" autoFocus>
                {pending.confirmLabel}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </FeedbackContext.Provider>
  );
}

export function useFeedback(): Feedback {
  const value = useContext(FeedbackContext);
  if (!value) throw new Error("useFeedback outside FeedbackProvider");
  return value;
}

/**
 * Runs one user action and reports its outcome as a toast: `done` on success (a string or built from the result),
 * the server's message on failure. Resolves to the result, or undefined when the action failed.
 */
export function useAction() {
  const { toast } = useFeedback();
  return useCallback(
    async <T,>(action: () => Promise<T>, done: string | ((result: T) => string)): Promise<T | undefined> => {
      try {
        const result = await action();
        toast(typeof done === "function" ? done(result) : done);
        return result;
      } catch (err) {
        toast(err instanceof Error ? err.message : String(err), "error");
        return undefined;
      }
    },
    [toast],
  );
}
