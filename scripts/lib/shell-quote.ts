/** Quotes a value for a POSIX shell only when it needs it, so the common case stays readable. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Escapes a value for the inside of double quotes in a POSIX shell: the four characters that keep a
 * meaning there (`"`, `$`, backtick and backslash). Double quotes, unlike single ones, let the value
 * sit beside a variable that must still expand, as in `export PATH="<dir>:$PATH"`.
 */
export function escapeInDoubleQuotes(value: string): string {
  return value.replace(/["$`\\]/g, '\\$&');
}

/** A value in double quotes for a POSIX shell, whatever it holds. */
export function doubleQuote(value: string): string {
  return `"${escapeInDoubleQuotes(value)}"`;
}
