"use client";
import { useEffect, useState } from "react";

/**
 * The current time, ticking every `ms`; null on the server and while hydrating. Seconds pass between the server
 * render and hydration, so a countdown computed from either clock renders text the other does not (React #418).
 */
export function useNow(ms = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    tick();
    const t = setInterval(tick, ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
