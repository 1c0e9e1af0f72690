import { BRIEF_LEVELS, BRIEF_ROLES, type BriefLevel, type BriefRole } from '../brief/brief.js';
import { RELEASE_PLANS } from '../brief/brief-plan.js';

/**
 * What a brief's page may ask for in its query: `?role=` and `?level=`, each at most once, with the
 * values `baton brief --role` and `--level` take. Anything else is refused before the repository is
 * read, with the values that are allowed.
 */

export interface BriefChoice {
  role?: BriefRole;
  level?: BriefLevel;
}

/** The roles a slice's brief is for, and a release's (the implementer and the verifier work on one slice). */
export function briefRoles(forSlice: boolean): readonly BriefRole[] {
  return forSlice ? BRIEF_ROLES : BRIEF_ROLES.filter((role) => Object.hasOwn(RELEASE_PLANS, role));
}

export function parseBriefQuery(query: URLSearchParams, forSlice: boolean): { choice: BriefChoice } | { problem: string } {
  const choice: BriefChoice = {};
  const roles = briefRoles(forSlice);
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    const shown = JSON.stringify(name.slice(0, 40));
    if (name !== 'role' && name !== 'level') return { problem: `A brief's page takes ?role= and ?level= only, not ${shown}.` };
    if (values.length > 1) return { problem: `?${name}= is given ${values.length} times; give it once.` };
    const value = values[0] ?? '';
    const allowed: readonly string[] = name === 'role' ? roles : BRIEF_LEVELS;
    if (!allowed.includes(value)) {
      const of = name === 'role' ? `the roles a ${forSlice ? "slice's" : "release's"} brief is for` : "a brief's levels";
      return { problem: `?${name}=${JSON.stringify(value.slice(0, 40))} is not one of ${of}: ${allowed.join(', ')}.` };
    }
    if (name === 'role') choice.role = value as BriefRole;
    else choice.level = value as BriefLevel;
  }
  return { choice };
}
