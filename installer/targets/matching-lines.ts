/** A line of a rendered prompt on which a pattern matched: its number (from 1) and the matched text. */
export interface LineMatch {
  line: number;
  match: string;
}

/** The first match of `pattern` on each line of `text`, for output checks that name the line. */
export function matchingLines(text: string, pattern: RegExp): LineMatch[] {
  const found: LineMatch[] = [];
  text.split('\n').forEach((line, index) => {
    const match = pattern.exec(line);
    if (match) found.push({ line: index + 1, match: match[0] });
  });
  return found;
}
