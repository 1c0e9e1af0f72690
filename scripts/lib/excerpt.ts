/**
 * A value taken from a repository file, made fit for a message: JSON notation (so a line break or a
 * terminal escape in the value shows as `\n` or `\u001b` and cannot forge output), cut at `max`
 * characters with an ellipsis. The value is serialised only as far as the limit: a list that YAML
 * aliases expand to millions of items, or a string of megabytes, costs no more than a short one.
 */
export function excerpt(value: unknown, max = 80): string {
  const parts: string[] = [];
  let length = 0;
  // Each call adds at least one character, so the walk stops after at most `max + 1` calls.
  const emit = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= max;
  };
  const walk = (item: unknown): boolean => {
    if (typeof item === 'string') return emit(JSON.stringify(item.length > max ? item.slice(0, max + 1) : item));
    if (Array.isArray(item)) {
      if (!emit('[')) return false;
      for (const [index, element] of item.entries()) if ((index > 0 && !emit(',')) || !walk(element)) return false;
      return emit(']');
    }
    if (typeof item === 'object' && item !== null) {
      if (!emit('{')) return false;
      let first = true;
      for (const key in item) {
        if (!Object.hasOwn(item, key)) continue;
        if ((!first && !emit(',')) || !walk(key) || !emit(':') || !walk((item as Record<string, unknown>)[key])) return false;
        first = false;
      }
      return emit('}');
    }
    return emit(String(item));
  };
  walk(value);
  return clip(parts.join(''), max);
}

/** A message from a parser that quotes the file (js-yaml's "unidentified alias ..."), cut at `max` characters. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
