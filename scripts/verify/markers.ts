import type { LineFilter } from '../lib/slice-changes.js';

/**
 * The words that mark unfinished work in an added line, matched as whole words in any case. Kept in
 * one place because git pre-selects the files that may hold them (`git diff -G`) and the dark-code
 * check then reads those lines word by word.
 */
const MARKER_WORDS = ['todo', 'fixme', 'xxx', 'hack', 'deferred', 'placeholder'] as const;

export const MARKER = new RegExp(`(?<![A-Za-z0-9_])(${MARKER_WORDS.join('|')})(?![A-Za-z0-9_])`, 'gi');
const MAYBE_MARKER = new RegExp(MARKER_WORDS.join('|'), 'i');

/** `[Tt][Oo][Dd][Oo]|...`: git's -G has no case-insensitive flag, so each letter carries both cases. */
const GIT_PATTERN = MARKER_WORDS.map((word) => [...word].map((c) => `[${c.toUpperCase()}${c}]`).join('')).join('|');

/** The lines `baton verify` needs the text of: those that contain a marker word somewhere. */
export const MARKER_LINES: LineFilter = { git: GIT_PATTERN, test: (text) => MAYBE_MARKER.test(text) };
