"use client";
import { useEffect, useState } from "react";
import { api } from "./api";

/** Re-fetches `path` every `ms` (≤ 2 s keeps live views live) while the page is open. */
export function usePoll<T>(path: string, initial: T, ms = 1500): { data: T; error: string | null; refresh: () => void } {
  const [data, setData] = useState<T>(initial);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stop = false;
    const load = () =>
      api<T>(path).then(
        (d) => !stop && (setData(d), setError(null)),
        (e: Error) => !stop && setError(e.message),
      );
    void load();
    const t = setInterval(load, ms);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [path, ms, tick]);
  return { data, error, refresh: () => setTick((t) => t + 1) };
}
