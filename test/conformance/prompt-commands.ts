/**
 * What a scripted model needs to act on a prompt as an agent would: the command lines the prompt
 * shows (each backticked span and each line of a fenced block), found by how they begin and filled in
 * with the values the agent has found; and the output of a tool result, as each client reports it.
 */

/**
 * Every command-like text of a prompt: the lines of its fenced blocks, and its backticked spans, paired
 * within each paragraph (a span may wrap onto the next line, and a stray backtick elsewhere in a long
 * conversation must not shift the pairs), whitespace collapsed.
 */
export function commandLines(text: string): string[] {
  const lines: string[] = [];
  const paragraphs: string[][] = [[]];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (fenced) lines.push(line);
    else if (line.trim() === '') paragraphs.push([]);
    else paragraphs[paragraphs.length - 1]?.push(line);
  }
  for (const paragraph of paragraphs) {
    for (const match of paragraph.join('\n').matchAll(/`([^`]+)`/g)) lines.push(match[1] ?? '');
  }
  return [...new Set(lines.map((line) => line.replace(/\s+/g, ' ').trim()).filter((line) => line !== ''))];
}

/**
 * The shortest command line of `text` that begins with `start` (`'<baton>' -C "<repo>" board --json`
 * begins with `'<baton>' -C "<repo>" board`), with each `<placeholder>` replaced by its value. Parts
 * listed in `drop` (such as " ..." after a repeatable option) are taken out first. Throws when the text
 * has no such line or a placeholder has no value, so a prompt that changed fails the script loudly.
 */
export function promptLine(text: string, start: string, values: Record<string, string>, drop: string[] = []): string {
  const found = commandLines(text).filter((line) => line.startsWith(start)).sort((a, b) => a.length - b.length)[0];
  if (found === undefined) throw new Error(`The prompt shows no command line beginning with ${start}`);
  let line = found;
  for (const part of drop) line = line.split(part).join('');
  return line.replace(/<([^<>]+)>/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for ${placeholder} in the prompt's line: ${found}`);
    return value;
  });
}

/** The output of a tool result, without the client's framing: Codex's header up to "Output:", Claude Code's "Exit code N". */
export function outputOf(result: string | undefined): string {
  if (result === undefined) throw new Error('The client sent no result for this tool call.');
  const codex = /\nOutput:\n([\s\S]*)$/.exec(result);
  // Claude Code says so in words when a command printed nothing.
  const text = codex ? (codex[1] ?? '') : result.replace(/^Exit code \d+\n/, '').replace(/^\(Bash completed with no output\)$/, '');
  return text.replace(/\n$/, '');
}

/** The exit code a tool result reports (Claude Code says it only when it is not 0). */
export function exitCodeOf(result: string | undefined): number {
  const said = /Process exited with code (\d+)/.exec(result ?? '') ?? /^Exit code (\d+)/.exec(result ?? '');
  return said ? Number(said[1]) : 0;
}

/** The JSON object a tool result printed. */
export function jsonOf<T>(result: string | undefined): T {
  const text = outputOf(result);
  return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as T;
}

/** The digest a `baton brief` tool result printed on its first line (`Brief <digest>: …`). */
export function briefDigestOf(result: string | undefined): string {
  const text = outputOf(result);
  const digest = /^Brief ([0-9a-f]{64}):/.exec(text)?.[1];
  if (digest === undefined) throw new Error(`The brief printed no digest on its first line: ${text.slice(0, 400)}`);
  return digest;
}
