/**
 * The display width of a line of yargs' help text, swapped in for the string-width package when the
 * baton tool is bundled (see build.mjs). string-width builds an Intl.Segmenter and a Unicode emoji
 * expression when it loads, about 8 ms of every baton command's start-up, to measure text that here
 * is always plain ASCII with, at most, colour codes.
 */
const ANSI = /\u001B\[[0-9;]*m/g;

export default function textWidth(text: string): number {
  let width = 0;
  for (const character of text.replace(ANSI, '')) {
    const code = character.codePointAt(0) ?? 0;
    if (code >= 0x20 && (code < 0x7f || code >= 0xa0)) width += 1;
  }
  return width;
}
