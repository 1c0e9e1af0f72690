/** The escapes of a TOML basic string for the characters that need one. */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/**
 * A TOML string value. Text of several lines becomes a multi-line literal string (`'''`), which TOML
 * reads exactly as written, so a prompt stays readable in its file; anything a literal string cannot
 * hold (three single quotes in a row, a control character, a quote right before the closing
 * delimiter) becomes a basic string with escapes.
 */
export function tomlString(value: string): string {
  const literalSafe = !value.includes("'''") && !value.endsWith("'") && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value);
  // A newline right after the opening ''' is dropped by TOML, so the first line is kept as written.
  if (value.includes('\n') && literalSafe) return `'''\n${value}'''`;
  return `"${value.replace(/[\\"\u0000-\u001f\u007f]/g, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
