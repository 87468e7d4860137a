/**
 * Finds stop strings in generated text while streaming: `push(text)` gets the full text so far and returns
 * how much of it is safe to show (text that could still become a stop string is held back) and whether
 * a stop string was hit (the text is cut before it).
 */
export function createStopMatcher(stops: readonly string[]): (text: string) => { safe: string; stopped: boolean } {
  return (text) => {
    let cut = -1;
    for (const s of stops) {
      const at = text.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) return { safe: text.slice(0, cut), stopped: true };
    // Hold back a trailing partial character (the tokenizer emits UTF-8 a byte at a time) and any suffix
    // that is the start of a stop string.
    let end = text.length;
    while (end > 0 && text[end - 1] === "\uFFFD") end--;
    let hold = 0;
    for (const s of stops) {
      for (let n = Math.min(s.length - 1, end); n > hold; n--) {
        if (text.slice(end - n, end) === s.slice(0, n)) {
          hold = n;
          break;
        }
      }
    }
    return { safe: text.slice(0, end - hold), stopped: false };
  };
}
