import type { BatonCommand } from '../cli.js';
import { BRIEF_LEVELS, BRIEF_ROLES, type BriefLevel, type BriefRequest, type BriefRole } from '../brief/brief.js';
import { UsageError } from '../lib/errors.js';
import { assertId, isId } from '../lib/ids.js';
import { openRepo } from '../lib/repo.js';

/** The largest budget taken: more tokens than any model reads at once. */
const MAX_BUDGET = 10_000_000;

export const briefCommand: BatonCommand = {
  command: 'brief [slice] [release]',
  describe: 'The handoff packet a fresh session starts from: what its role needs, from the repository, cut to a level and a token budget, with its digest',
  builder: (yargs) =>
    yargs
      .positional('slice', { type: 'string', describe: "Slice id; without one, the release's brief (planner, integrator)" })
      .positional('release', { type: 'string', describe: 'Release id; found from the board when omitted' })
      .option('role', { type: 'string', choices: [...BRIEF_ROLES], describe: "Whose brief (default: the role whose command moves the slice on, from its state)" })
      .option('level', { type: 'string', choices: [...BRIEF_LEVELS], default: 'standard', describe: 'minimal: position and where to read the rest; standard: what the role reads to start; full: everything whole' })
      // A string, so that `--budget abc` or `--budget 1e3` is refused with what was typed (see budgetOption).
      .option('budget', { type: 'string', describe: 'The most tokens the brief may have; what does not fit is named with its path' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the brief as JSON: its parts, their tokens, what it leaves out, its digest and its text' }),
  async run(args, io) {
    const request: BriefRequest = {
      ...briefTarget(args.slice === undefined ? undefined : String(args.slice), args.release === undefined ? undefined : String(args.release)),
      role: args.role as BriefRole | undefined,
      level: args.level as BriefLevel,
      budget: budgetOption(args.budget),
    };
    const { buildBrief } = await import('../brief/build-brief.js');
    const brief = await buildBrief(await openRepo(io.cwd, io.env), request);
    if (args.json) io.write(`${JSON.stringify(brief, null, 2)}\n`);
    else io.write(`Brief ${brief.digest}: ${brief.tokens} tokens, counted with ${brief.tokenizer}\nName it in this session's state changes: add --brief ${brief.digest} to each baton command that records one.\n\n${brief.text}`);
    return 0;
  },
};

/** `<slice> [<release>]`, or a release alone for a release's brief. */
export function briefTarget(first: string | undefined, second: string | undefined): { slice?: string; release?: string } {
  if (first === undefined) return {};
  if (isId('release', first)) {
    if (second !== undefined && isId('slice', second)) {
      throw new UsageError(`The release and slice ids are swapped: "${first}" is a release id and "${second}" a slice id, and the slice comes first.`, { fix: `Run baton brief ${second} ${first}` });
    }
    if (second !== undefined) throw new UsageError(`baton brief ${first} takes no second id: a release's brief names only the release.`, { fix: `Run baton brief ${first}, or baton brief <slice> ${first}.` });
    return { release: first };
  }
  return { slice: assertId('slice', first), ...(second === undefined ? {} : { release: assertId('release', second) }) };
}

/** --budget as a whole number of tokens, or undefined when it is not given. */
export function budgetOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const fix = 'For example --budget 4000, or leave --budget out for no budget.';
  if (Array.isArray(value)) throw new UsageError(`--budget was given more than once (${value.map((one) => JSON.stringify(String(one))).join(', ')}).`, { fix });
  const text = String(value);
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < 1 || number > MAX_BUDGET) throw new UsageError(`--budget ${JSON.stringify(text.slice(0, 40))} is not a number of tokens from 1 to ${MAX_BUDGET}.`, { fix });
  return number;
}
