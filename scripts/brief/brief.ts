/**
 * The brief: the handoff packet a fresh session starts from, assembled from the repository alone.
 * `baton brief --json` prints this object; `baton brief` prints the digest line and then `text`.
 * docs/cli.md describes it for users.
 */

export const BRIEF_ROLES = ['implementer', 'verifier', 'planner', 'integrator'] as const;
export type BriefRole = (typeof BRIEF_ROLES)[number];

/** minimal: where things stand and where to read the rest; standard: what the role reads to start; full: everything whole. */
export const BRIEF_LEVELS = ['minimal', 'standard', 'full'] as const;
export type BriefLevel = (typeof BRIEF_LEVELS)[number];

export type SectionId = 'position' | 'warnings' | 'verdict' | 'spec' | 'proof' | 'journal' | 'files' | 'timeline' | 'slices' | 'intake' | 'index';

/** A part of the brief, held in it or left out of it. */
export interface BriefPart {
  id: SectionId;
  title: string;
  /** The repository-relative file it shows; null for what baton derives (the position, the timeline). */
  path: string | null;
  /** How to read it whole on this machine: an absolute path, a `git show <branch>:<path>`, or a baton command. */
  open: string;
  /** Tokens of what the brief holds of it; for a part left out, of the whole that `open` gives. */
  tokens: number;
}

export interface LeftOut extends BriefPart {
  /** `level`: the level asked for does not hold it for this role; `budget`: it did not fit the budget. */
  reason: 'level' | 'budget';
}

export interface Brief {
  version: 1;
  /** SHA-256 of `text`, the brief a session names with `--brief` on its state changes. */
  digest: string;
  /** Tokens of `text`, counted with `tokenizer`. */
  tokens: number;
  tokenizer: string;
  role: BriefRole;
  level: BriefLevel;
  budget: number | null;
  release: string;
  /** Null for a release's brief (planner and integrator only). */
  slice: string | null;
  /** The parts the brief holds, in order. */
  sections: BriefPart[];
  /** The parts it names but does not hold, in order of priority. */
  omitted: LeftOut[];
  /** The brief itself: Markdown. */
  text: string;
}

/** What a caller asks for; the release and role are found from the board when not given. */
export interface BriefRequest {
  slice?: string | undefined;
  release?: string | undefined;
  role?: BriefRole | undefined;
  level?: BriefLevel | undefined;
  /** The most tokens the brief may have; none when undefined. */
  budget?: number | undefined;
}
