import { errnoCode, OperationalError } from '../lib/errors.js';

/**
 * Counting a brief's tokens with a real tokenizer: OpenAI's o200k_base encoding (the GPT-4o, GPT-5
 * and Codex models' own), as the gpt-tokenizer package implements it in plain JavaScript. For
 * Claude and Gemini, whose tokenizers are not published as a package, the count is an estimate
 * (docs/cli.md, baton brief).
 *
 * Its ranks are 2.7 MB of JavaScript that take about 100 ms to load. Bundled into the program, every
 * baton command would read and compile them at its start, so build.mjs puts them in a file of their
 * own beside the program, baton-tokenizer.cjs, which only a brief loads.
 */

/** The tokenizer named in every brief; test/brief/count-tokens.test.ts keeps the version in step with package.json. */
export const TOKENIZER = 'o200k_base (gpt-tokenizer 4.0.0)';

export type CountTokens = (text: string) => number;

/**
 * Repository text is counted as text: a spec that contains `<|endoftext|>` is those characters, not
 * the model's special token (which the tokenizer would otherwise refuse to encode).
 */
const AS_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

export async function loadTokenCounter(): Promise<CountTokens> {
  let tokenizer: typeof import('gpt-tokenizer/encoding/o200k_base');
  try {
    tokenizer = await import('gpt-tokenizer/encoding/o200k_base');
  } catch (error) {
    if (errnoCode(error) !== 'MODULE_NOT_FOUND') throw error;
    throw new OperationalError('The tokenizer baton brief counts with, baton-tokenizer.cjs, is missing beside the baton program.', {
      cause: error,
      fix: 'Install baton again (npx baton-install), or run npm run build in a clone of baton.',
    });
  }
  const { countTokens } = tokenizer;
  return (text) => (text === '' ? 0 : countTokens(text, AS_TEXT));
}
