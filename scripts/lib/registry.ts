import { excerpt } from './excerpt.js';
import { isId } from './ids.js';
import { parseYamlMapping, splitFrontmatter } from './frontmatter.js';

/**
 * The registry in a release's index.md frontmatter: the release id, its integration branch and its
 * tracks, each with its ordered slices, the tracks it depends on and its state. Written only by baton
 * commands; read by the board and every gate.
 */

const TRACK_STATES = ['planned', 'in_progress', 'merged'] as const;
export type TrackState = (typeof TRACK_STATES)[number];

export interface TrackEntry {
  id: string;
  slices: string[];
  dependsOn: string[];
  state: TrackState;
}

export interface Registry {
  release: string | undefined;
  integrationBranch: string | undefined;
  tracks: TrackEntry[];
  /** Problems found while reading it; the readable parts are still returned. */
  problems: string[];
  /** Set when the frontmatter could not be read at all (missing, not YAML, too large): no track is known. */
  unreadable?: string;
}

/** Which track each slice belongs to; a slice listed in two tracks belongs to the first. */
export function sliceOwners(registry: Registry): Map<string, string> {
  const owner = new Map<string, string>();
  for (const track of registry.tracks) for (const slice of track.slices) if (!owner.has(slice)) owner.set(slice, track.id);
  return owner;
}

/**
 * A branch name by git's own rules (`git check-ref-format --branch`, from its documentation), so
 * `feat+plus` and `ünï` pass, checked in-process because the board calls it on every index.md it
 * reads. The rules also keep it safe in git arguments and cat-file requests: no leading `-` (an
 * option), no `..`, no leading `/` or `.` component (a path that escapes), no space, control
 * character or newline (a second request line). Two names git allows are refused as baton's own
 * rule: `HEAD`, and `refs/...`, which names a branch called `refs/heads/main`, never `main`.
 */
export function isBranchName(value: string): boolean {
  if (value === '' || value === '@' || value === 'HEAD' || value.startsWith('-') || value.startsWith('refs/')) return false;
  // Control characters and DEL, space, ~ ^ : ? * [ \ anywhere; "..", "@{" and "//" anywhere.
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(value)) return false;
  if (value.startsWith('/') || value.endsWith('/') || value.endsWith('.')) return false;
  // No component starts with "." or ends with ".lock".
  return value.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Reads the registry from index.md text; never throws, reports what it could not read. */
export function parseRegistry(text: string): Registry {
  const registry: Registry = { release: undefined, integrationBranch: undefined, tracks: [], problems: [] };
  const { yaml } = splitFrontmatter(text);
  const unreadable = (problem: string): Registry => ({ ...registry, problems: [`index.md: ${problem}`], unreadable: problem });
  if (yaml === undefined) return unreadable('it has no frontmatter');
  const parsed = parseYamlMapping(yaml);
  if ('error' in parsed) return unreadable(parsed.error);
  const { data } = parsed;
  if (typeof data.release === 'string') registry.release = data.release;
  if (typeof data.integration_branch === 'string' && isBranchName(data.integration_branch)) {
    registry.integrationBranch = data.integration_branch;
  } else if (data.integration_branch !== undefined && data.integration_branch !== null) {
    registry.problems.push(`integration_branch ${excerpt(data.integration_branch)} is not a branch name`);
  }
  const tracks = data.tracks;
  if (tracks === undefined || tracks === null) return registry;
  if (!Array.isArray(tracks)) {
    registry.problems.push('tracks is not a list');
    return registry;
  }
  tracks.forEach((item: unknown, index) => {
    const entry = readTrack(item);
    if (typeof entry === 'string') registry.problems.push(`tracks[${index}]: ${entry}`);
    else registry.tracks.push(entry);
  });
  return registry;
}

function readTrack(item: unknown): TrackEntry | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'is not a mapping';
  const record = item as Record<string, unknown>;
  if (typeof record.id !== 'string' || !isId('track', record.id)) return `id ${excerpt(record.id)} is not a track id`;
  const slices = asList(record.slices);
  if (!slices || !slices.every((slice) => isId('slice', slice))) return `${record.id}: slices must be a list of slice ids`;
  const dependsOn = asList(record.depends_on);
  if (!dependsOn || !dependsOn.every((track) => isId('track', track))) return `${record.id}: depends_on must be a list of track ids`;
  const state = record.state ?? 'planned';
  if (typeof state !== 'string' || !(TRACK_STATES as readonly string[]).includes(state)) return `${record.id}: state ${excerpt(state)} is not one of ${TRACK_STATES.join(', ')}`;
  return { id: record.id, slices, dependsOn, state: state as TrackState };
}

/** A list of strings; a single string or an empty value count as a list of one or none. */
function asList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}
