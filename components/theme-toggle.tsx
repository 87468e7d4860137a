"use client";
import { useSyncExternalStore } from "react";
import { THEME_KEY, type Theme } from "./theme";

const listeners = new Set<() => void>();
const subscribe = (fn: () => void) => {
  listeners.add(fn);
  const media = window.matchMedia("(prefers-color-scheme: light)");
  media.addEventListener("change", fn);
  return () => {
    listeners.delete(fn);
    media.removeEventListener("change", fn);
  };
};
/** The theme on screen: the stored choice, else the system's. */
const current = (): Theme => {
  const picked = document.documentElement.dataset.theme;
  if (picked === "light" || picked === "dark") return picked;
  return window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
};

/** Switches between light and dark and remembers the choice in localStorage. */
export function ThemeToggle() {
  // null on the server and while hydrating (the server cannot know the theme), so the markup matches.
  const theme = useSyncExternalStore<Theme | null>(subscribe, current, () => null);
  const next: Theme = theme === "light" ? "dark" : "light";
  const toggle = () => {
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    listeners.forEach((fn) => fn());
  };
  return (
    <button type="button" className="icon" data-testid="theme-toggle" aria-label={theme ? `Switch to ${next} theme` : "Switch theme"} title={theme ? `Switch to ${next} theme` : "Switch theme"} onClick={toggle}>
      {theme === "light" ? "☾" : "☀"}
    </button>
  );
}
