import { UsageError } from '../lib/errors.js';
import { assertId } from '../lib/ids.js';
import type { Repo } from '../lib/repo.js';
import type { Brief, BriefRequest } from './brief.js';
import { defaultRole, levelHolds, RELEASE_PLANS, SLICE_PLANS } from './brief-plan.js';
import { draftSection } from './brief-sections.js';
import { loadTokenCounter, TOKENIZER } from './count-tokens.js';
import { fitBrief } from './fit-brief.js';
import { readBriefSources } from './read-brief-sources.js';

/**
 * `baton brief`, and the dashboard's link to a brief: what a role needs to start on a slice (or, for
 * the planner and the integrator, on a release), read from the repository, cut to a level and a
 * budget, with a token count per part and the SHA-256 digest of the whole.
 */
export async function buildBrief(repo: Repo, request: BriefRequest): Promise<Brief> {
  // Ids name paths and refs: checked before anything is read (the dashboard passes what a URL held).
  if (request.slice !== undefined) assertId('slice', request.slice);
  if (request.release !== undefined) assertId('release', request.release);
  if (request.slice === undefined && (request.role === 'implementer' || request.role === 'verifier')) {
    throw new UsageError(`A brief for the ${request.role} is about one slice, and none was named.`, { fix: `Run baton brief <slice> [<release>] --role ${request.role}; a release's brief is for the planner or the integrator.` });
  }
  // The tokenizer takes about 100 ms to load: it loads while git reads.
  const counting = loadTokenCounter();
  counting.catch(() => undefined); // awaited below
  const sources = await readBriefSources(repo, request);
  const slice = sources.slice?.entry;
  const role = request.role ?? defaultRole(sources.release, slice);
  const level = request.level ?? 'standard';
  const plan = slice ? SLICE_PLANS[role] : RELEASE_PLANS[role === 'planner' || role === 'integrator' ? role : 'planner'];
  const parts = plan.flatMap(([id, needed]) => {
    const draft = draftSection(id, sources, level);
    return draft ? [{ draft, held: levelHolds(level, needed) }] : [];
  });
  return fitBrief({ role, level, budget: request.budget, release: sources.release.id, slice: slice?.id ?? null, parts, count: await counting, tokenizer: TOKENIZER });
}
