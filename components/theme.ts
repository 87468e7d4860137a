export type Theme = "light" | "dark";
export const THEME_KEY = "depot-theme";

/**
 * Runs in <head> before the first paint (app/layout.tsx): applies the stored choice, so a reload never flashes the
 * other theme. Without a stored choice the CSS follows prefers-color-scheme.
 */
export const THEME_SCRIPT = `try{var t=localStorage.getItem("${THEME_KEY}");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;
