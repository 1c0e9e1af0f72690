import type { LineFilter } from '../lib/slice-changes.js';

/**
 * The words that mark unfinished work in a comment, matched as whole words. A repository replaces the
 * list with `darkCodeMarkers` in `.baton/config.json` (see docs/cli.md). A word written in lower case
 * matches in any case; a word with a capital letter matches only as written (`TODO` leaves "the todo
 * list" alone). Kept in one place because git pre-selects the files that may hold them (`git diff -G`)
 * and the dark-code check then reads those lines word by word.
 */
export const DEFAULT_MARKERS = ['todo', 'fixme', 'xxx', 'hack', 'deferred', 'placeholder'] as const;

export interface Markers {
  /** The words, as configured. */
  words: readonly string[];
  /** Finds the markers in a text, as whole words. */
  find(text: string): string[];
  /** The added lines verify needs the text of: those that contain a marker somewhere. */
  lines: LineFilter;
}

const anyCase = (word: string): boolean => word === word.toLowerCase();

/** The matchers for a marker list (the default one when `words` is undefined); config.ts checks each word's characters. */
export function markers(words: readonly string[] = DEFAULT_MARKERS): Markers {
  // Neither git's -G nor Node 20's RegExp has a case-insensitive group: each letter of an any-case
  // word carries both cases ([Tt][Oo][Dd][Oo]), and the same pattern serves both.
  const pattern = words.map((word) => (anyCase(word) ? [...word].map((c) => (/[a-z]/.test(c) ? `[${c.toUpperCase()}${c}]` : c)).join('') : word)).join('|');
  const wordPattern = new RegExp(`(?<![A-Za-z0-9_])(?:${pattern})(?![A-Za-z0-9_])`, 'g');
  const maybe = new RegExp(pattern);
  return {
    words,
    find: (text) => [...text.matchAll(wordPattern)].map((match) => match[0]),
    lines: { git: pattern, test: (text) => maybe.test(text) },
  };
}
