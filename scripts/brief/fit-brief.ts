import { UsageError } from '../lib/errors.js';
import { sha256 } from '../lib/receipt.js';
import type { Brief, BriefLevel, BriefPart, BriefRole, LeftOut } from './brief.js';
import type { SectionDraft } from './brief-sections.js';
import type { CountTokens } from './count-tokens.js';

/**
 * Cutting a brief to its level and budget, and writing it out. Pure, given the token counter: the
 * same drafts give the same bytes, hence the same digest.
 *
 * The position is always held. Every other part the level holds is taken in priority order when the
 * whole brief, its list of what is left out included, still fits the budget; a part that does not fit
 * is named in that list with the place to read it, and a smaller part after it may still fit.
 */

export interface FitInput {
  role: BriefRole;
  level: BriefLevel;
  budget: number | undefined;
  release: string;
  slice: string | null;
  /** Every part the repository has for this role, in priority order; `held` when the level holds it. */
  parts: { draft: SectionDraft; held: boolean }[];
  count: CountTokens;
  tokenizer: string;
}

export function fitBrief(input: FitInput): Brief {
  const { count, budget } = input;
  const tokens = new Map<SectionDraft, { held: number; whole: number }>();
  for (const { draft } of input.parts) tokens.set(draft, { held: count(draft.text), whole: draft.whole === draft.text ? count(draft.text) : count(draft.whole) });
  const render = (kept: ReadonlySet<SectionDraft>) => renderBrief(input, kept, tokens);

  const required = new Set(input.parts.filter(({ draft }) => draft.id === 'position').map(({ draft }) => draft));
  let kept = new Set(input.parts.filter(({ draft, held }) => held || required.has(draft)).map(({ draft }) => draft));
  if (budget !== undefined) {
    const least = count(render(required).text);
    if (least > budget) {
      throw new UsageError(`--budget ${budget} is less than the ${least} tokens this brief needs at the least: its position and the list of what it leaves out.`, {
        fix: `Give --budget ${least} or more, or leave --budget out.`,
      });
    }
    const wanted = input.parts.filter(({ draft, held }) => held && !required.has(draft)).map(({ draft }) => draft);
    kept = new Set(required);
    for (const draft of wanted) {
      const trial = new Set([...kept, draft]);
      if (count(render(trial).text) <= budget) kept = trial;
    }
  }
  const { text, sections, omitted } = render(kept);
  return {
    version: 1,
    digest: sha256(text),
    tokens: count(text),
    tokenizer: input.tokenizer,
    role: input.role,
    level: input.level,
    budget: budget ?? null,
    release: input.release,
    slice: input.slice,
    sections,
    omitted,
    text,
  };
}

function renderBrief(input: FitInput, kept: ReadonlySet<SectionDraft>, tokens: Map<SectionDraft, { held: number; whole: number }>): { text: string; sections: BriefPart[]; omitted: LeftOut[] } {
  const part = (draft: SectionDraft, count: number): BriefPart => ({ id: draft.id, title: draft.title, path: draft.path, open: draft.open, tokens: count });
  const sections = input.parts.filter(({ draft }) => kept.has(draft)).map(({ draft }) => part(draft, tokens.get(draft)?.held ?? 0));
  const omitted: LeftOut[] = input.parts.filter(({ draft }) => !kept.has(draft)).map(({ draft, held }) => ({ ...part(draft, tokens.get(draft)?.whole ?? 0), reason: held ? 'budget' : 'level' }));
  const what = input.slice === null ? `release ${input.release}` : `${input.slice} in release ${input.release}`;
  const blocks = [
    `# Brief for the ${input.role}: ${what}`,
    // The budget is not written here: the brief names what it holds, and two budgets that leave the
    // same parts give the same brief, with the same digest.
    `Level ${input.level}. Assembled by baton brief from the repository alone; the parts come in the order the ${input.role} needs them, and the last part names what this brief leaves out and where to read it.`,
    ...input.parts.filter(({ draft }) => kept.has(draft)).map(({ draft }) => `## ${draft.title} (${tokens.get(draft)?.held ?? 0} tokens)\n\n${draft.text}`),
    `## Left out\n\n${omitted.length === 0 ? 'Nothing: this brief holds every part the repository has for the role.' : omitted.map(leftOutLine(input.level)).join('\n')}`,
  ];
  return { text: `${blocks.join('\n\n')}\n`, sections, omitted };
}

function leftOutLine(level: BriefLevel): (part: LeftOut) => string {
  return (part) => `- ${part.title}${part.path ? ` (\`${part.path}\`)` : ''}, ${part.tokens} tokens, ${part.reason === 'level' ? `not held at level ${level}` : 'left out to fit the budget'}: ${part.open}`;
}
