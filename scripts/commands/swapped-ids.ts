import { UsageError } from '../lib/errors.js';
import { isId } from '../lib/ids.js';

/**
 * `baton verify <release> <slice>`: the two ids swapped. Every command that takes `<slice> [release]`
 * is checked before yargs validates its other arguments (a swapped `verdict` would otherwise be
 * refused for its verdict word), so the user hears what is actually wrong.
 */

/** The names of the commands whose first positional is a slice id and whose last may be its release. */
export function slicePositionalCommands(commands: { command: string }[]): Set<string> {
  return new Set(commands.filter((one) => /^\S+ <slice>.*\[release\]$/.test(one.command)).map((one) => one.command.split(' ')[0] as string));
}

/**
 * Throws a usage error when the slice position holds a release id: with the slice id found later in
 * argv, the error gives the command with the two swapped back; without one, it says what is missing.
 */
export function checkSliceFirst(argv: string[], args: Record<string, unknown>, commands: Set<string>): void {
  const name = String(args._ instanceof Array ? args._[0] : '');
  if (!commands.has(name) || typeof args.slice !== 'string' || !isId('release', args.slice)) return;
  const release = args.slice;
  const words = argv.slice(argv.indexOf(name) + 1);
  const slice = words.find((word) => isId('slice', word));
  if (slice === undefined) {
    throw new UsageError(`"${release}" is a release id, but baton ${name} takes the slice id first.`, { fix: `Run baton ${name} <slice> ${release}; baton board --verbose lists the slices.` });
  }
  // The slice goes right after the command and the release after the other positionals (before the first option).
  const at = argv.indexOf(name) + 1;
  const rest = argv.slice(at).filter((word) => word !== release && word !== slice);
  const firstOption = rest.findIndex((word) => word.startsWith('-'));
  const positionals = firstOption === -1 ? rest : rest.slice(0, firstOption);
  const options = firstOption === -1 ? [] : rest.slice(firstOption);
  const fixed = [...argv.slice(0, at), slice, ...positionals, release, ...options];
  throw new UsageError(`The release and slice ids are swapped: "${release}" is a release id and "${slice}" a slice id, and the slice comes first.`, {
    fix: `Run baton ${fixed.join(' ')}`,
  });
}
