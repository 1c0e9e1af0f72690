/**
 * A path as git prints it with `core.quotePath=false`: unchanged unless it holds a double quote, a
 * backslash or a control character; then in double quotes with C escapes (`\n`, `\t`, `\"`, `\\`)
 * and other control bytes in octal. One path is then always one line, and a reader that knows git's
 * quoting reads it back; letters beyond ASCII stay readable.
 */
export function quotePath(file: string): string {
  if (!/["\\\x00-\x1f\x7f]/.test(file)) return file;
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };
  const body = [...file].map((char) => named[char] ?? (/[\x00-\x1f\x7f]/.test(char) ? `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}` : char)).join('');
  return `"${body}"`;
}
