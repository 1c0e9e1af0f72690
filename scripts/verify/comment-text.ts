import path from 'node:path';

/**
 * The comment text of one source line, by the comment syntax of the file's language (chosen by its
 * extension or name). `baton verify`'s dark-code check looks for markers only there: a marker word in
 * a string, an identifier or a regular expression is the program's own text, not a note about
 * unfinished work.
 *
 * git gives the check single added lines, not whole files, so each line is read on its own, starting
 * outside any string or comment. A block comment that opened on an earlier line is recognised in two
 * forms: a line that closes it before opening any, whose text up to the closer is comment; and, in
 * languages with C's block comments, a line that starts with `*`, the usual decoration of a block
 * comment's inner lines. An undecorated inner line of a block comment (or of a Python docstring)
 * reads as code and is not seen; the verifier reads the changed files for those (no-silent-deferrals).
 */

interface CommentSyntax {
  /** Openers of comments that run to the end of the line. */
  line: readonly string[];
  /** Openers and closers of block comments. */
  block: readonly (readonly [string, string])[];
  /** String delimiters; a string runs to the same delimiter (a backslash escapes it) or the end of the line. */
  quotes: readonly string[];
  /** A line opener counts only at the start of the line or after white space (shell `${#x}`, YAML `a#b`). */
  openerAfterSpace?: boolean;
}

const C_BLOCK = ['/*', '*/'] as const;
const HTML_BLOCK = ['<!--', '-->'] as const;

const C_LIKE: CommentSyntax = { line: ['//'], block: [C_BLOCK], quotes: ['"', "'"] };
const JS_LIKE: CommentSyntax = { line: ['//'], block: [C_BLOCK], quotes: ['"', "'", '`'] };
// Rust's ' also starts a lifetime (&'a str), which has no closing quote.
const RUST: CommentSyntax = { line: ['//'], block: [C_BLOCK], quotes: ['"'] };
const HASH: CommentSyntax = { line: ['#'], block: [], quotes: ['"', "'"] };
const SHELL: CommentSyntax = { ...HASH, openerAfterSpace: true };
const SQL: CommentSyntax = { line: ['--'], block: [C_BLOCK], quotes: ["'", '"'] };
const CSS: CommentSyntax = { line: [], block: [C_BLOCK], quotes: ['"', "'"] };
const SASS: CommentSyntax = { ...CSS, line: ['//'] };
// Markup text is prose, where an apostrophe is not a quote.
const MARKUP: CommentSyntax = { line: [], block: [HTML_BLOCK], quotes: [] };
const COMPONENT: CommentSyntax = { line: ['//'], block: [HTML_BLOCK, C_BLOCK], quotes: ['"', '`'] };
const NONE: CommentSyntax = { line: [], block: [], quotes: [] };

/**
 * A file type baton does not know: the common openers, so that a marker behind `#`, `//`, `/*` or
 * `<!--` still counts, and double-quoted strings are still text.
 */
export const UNKNOWN_SYNTAX: CommentSyntax = { line: ['//', '#'], block: [C_BLOCK, HTML_BLOCK], quotes: ['"'], openerAfterSpace: true };

const BY_EXTENSION: Record<string, CommentSyntax> = {
  ...each(['js', 'jsx', 'mjs', 'cjs', 'ts', 'tsx', 'mts', 'cts', 'go'], JS_LIKE),
  ...each(['java', 'kt', 'kts', 'scala', 'groovy', 'gradle', 'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'hxx', 'cs', 'swift', 'dart', 'm', 'mm', 'proto', 'jsonc', 'json5'], C_LIKE),
  rs: RUST,
  php: { ...C_LIKE, line: ['//', '#'] },
  ...each(['py', 'pyi', 'pyw', 'rb', 'pl', 'pm', 'r', 'ex', 'exs', 'cr', 'nim', 'toml', 'cmake', 'mk', 'properties', 'dockerfile', 'containerfile'], HASH),
  ...each(['sh', 'bash', 'zsh', 'ksh', 'fish', 'yaml', 'yml', 'env', 'conf', 'cfg'], SHELL),
  ini: { ...HASH, line: ['#', ';'] },
  ...each(['tf', 'hcl', 'nix'], { ...HASH, line: ['#', '//'], block: [C_BLOCK] }),
  ps1: { ...HASH, block: [['<#', '#>']] },
  sql: SQL,
  lua: { line: ['--'], block: [['--[[', ']]']], quotes: ['"', "'"] },
  ...each(['hs', 'elm'], { line: ['--'], block: [['{-', '-}']], quotes: ['"'] }),
  css: CSS,
  ...each(['scss', 'less', 'sass', 'styl'], SASS),
  ...each(['html', 'htm', 'xhtml', 'xml', 'svg', 'xsl', 'xslt', 'plist', 'xaml', 'csproj'], MARKUP),
  ...each(['vue', 'svelte', 'astro'], COMPONENT),
  ...each(['clj', 'cljs', 'cljc', 'edn', 'el', 'lisp', 'scm', 'rkt'], { line: [';'], block: [], quotes: ['"'] }),
  ...each(['erl', 'hrl', 'tex', 'sty'], { line: ['%'], block: [], quotes: ['"'] }),
  // Data without comments: nothing in them is a note.
  ...each(['json', 'csv', 'tsv', 'map'], NONE),
};

/** Files known by their name rather than an extension. */
const BY_NAME: Record<string, CommentSyntax> = {
  ...each(['makefile', 'gnumakefile', 'dockerfile', 'containerfile', 'gemfile', 'rakefile', 'procfile', 'vagrantfile', 'brewfile', 'justfile', 'cmakelists.txt'], HASH),
  ...each(['.gitignore', '.gitattributes', '.dockerignore', '.npmignore', '.env', '.npmrc', '.editorconfig', '.bashrc', '.zshrc', '.profile'], SHELL),
};

function each(keys: string[], syntax: CommentSyntax): Record<string, CommentSyntax> {
  return Object.fromEntries(keys.map((key) => [key, syntax]));
}

/** The comment syntax of a repository-relative file, by its name, else its extension, else UNKNOWN_SYNTAX. */
export function commentSyntax(file: string): CommentSyntax {
  const name = path.posix.basename(file).toLowerCase();
  const extension = path.posix.extname(name).slice(1);
  return BY_NAME[name] ?? (extension === '' ? undefined : BY_EXTENSION[extension]) ?? (name.startsWith('.env.') ? SHELL : UNKNOWN_SYNTAX);
}

/** The text of the comments on one line of `file`, comments joined by a space; '' when it has none. */
export function commentText(file: string, text: string): string {
  return commentsOf(text, commentSyntax(file)).join(' ');
}

/** The comment parts of one line read on its own (see the module comment for block comments). */
export function commentsOf(text: string, syntax: CommentSyntax): string[] {
  const comments: string[] = [];
  let index = 0;
  const open = openBeforeLine(text, syntax);
  if (open) {
    const end = text.indexOf(open, 0);
    if (end === -1) return [text];
    comments.push(text.slice(0, end));
    index = end + open.length;
  }
  while (index < text.length) {
    const block = syntax.block.find(([opener]) => text.startsWith(opener, index));
    if (block) {
      const start = index + block[0].length;
      const end = text.indexOf(block[1], start);
      comments.push(text.slice(start, end === -1 ? undefined : end));
      if (end === -1) break;
      index = end + block[1].length;
      continue;
    }
    const opener = syntax.line.find((candidate) => text.startsWith(candidate, index));
    if (opener && (!syntax.openerAfterSpace || index === 0 || /\s/.test(text.charAt(index - 1)))) {
      comments.push(text.slice(index + opener.length));
      break;
    }
    const quote = syntax.quotes.find((candidate) => text.startsWith(candidate, index));
    index = quote ? endOfString(text, index + 1, quote) : index + 1;
  }
  return comments;
}

/**
 * The closer of a block comment that this line continues from an earlier line, if it looks like one:
 * the line closes a block before it opens one, or (for C's block comments) it starts with `*`.
 */
function openBeforeLine(text: string, syntax: CommentSyntax): string | undefined {
  for (const [opener, closer] of syntax.block) {
    const closes = text.indexOf(closer);
    if (closes === -1) continue;
    const opens = text.indexOf(opener);
    if (opens === -1 || closes < opens) return closer;
  }
  if (syntax.block.some(([opener]) => opener === '/*') && /^\s*\*(?!\/)/.test(text)) return '*/';
  return undefined;
}

/** The index after the string that starts at `from` (just past its opening quote). */
function endOfString(text: string, from: number, quote: string): number {
  let index = from;
  while (index < text.length) {
    if (text.charAt(index) === '\\') index += 2;
    else if (text.startsWith(quote, index)) return index + quote.length;
    else index += 1;
  }
  return text.length;
}
