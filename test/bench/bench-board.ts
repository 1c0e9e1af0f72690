import type { Board } from '../../scripts/board/board.js';
import { readBoard } from '../../scripts/board/read-board.js';
import { receiptLogArgs } from '../../scripts/lib/read-receipts.js';
import { formatReceipt, RECEIPT_EVENTS, sha256, type Receipt } from '../../scripts/lib/receipt.js';
import { openRepo } from '../../scripts/lib/repo.js';
import type { SliceState } from '../../scripts/lib/status.js';
import { statusJson } from '../helpers/slice-repo.js';
import { git, gitdir } from '../helpers/testdir.js';
import { fastImport } from './fast-import.js';
import { floorRun, measure, median, time, type Floor, type Measurement, type Start } from './measure.js';

const RELEASES = 5;
const TRACKS = 20;
const SLICES = 20;

export const releaseId = (r: number) => `2026-11-${String(10 + r).padStart(2, '0')}-release${r}`;
export const trackId = (t: number) => `T${t + 1}-track${t}`;
export const sliceId = (t: number, s: number) => `S${t * SLICES + s + 1}-slice${s}`;

const SPEC_MD = (slice: string) => `# ${slice}\n`;

/**
 * 5 releases x 20 tracks x 20 slices, as baton's own commands leave them. main holds every release
 * as planned: one commit of the index.md files, then one slice-planned receipt commit per slice, the
 * first receipt of its chain (no slice's record is read from main, because each track's branch has
 * its own). Each release has its release-wt branch at main. On each of the 100 track
 * branches every slice's record is written by its own receipt commit, which changes only that
 * slice's folder: the first half of the track verified (started; a code commit, the candidate;
 * implemented directly on it; a PASS verdict directly on that), the second half started.
 * Written with one `git fast-import` stream, which names the commits receipts point at as it goes.
 */
export interface LargeBoardRepo {
  dir: string;
  /** `<branch>:<status.json path>` of every record the board shows, one per line. */
  floorRequests: string;
  receiptRefs: string[];
}

export async function largeBoardRepo(): Promise<LargeBoardRepo> {
  const dir = await gitdir({ 'README.md': '# bench\n' });
  const stream = fastImport(dir);
  let mark = 0;
  let time = 1763719200;
  const floor: string[] = [];
  const receiptRefs = ['HEAD'];
  const plan: Record<string, string> = {};
  for (let r = 0; r < RELEASES; r += 1) {
    const rel = releaseId(r);
    const tracks = Array.from({ length: TRACKS }, (_, t) => `  - id: ${trackId(t)}\n    slices: [${Array.from({ length: SLICES }, (__, s) => sliceId(t, s)).join(', ')}]\n    depends_on: []\n    state: in_progress`);
    plan[`docs/release/${rel}/index.md`] = `---\nrelease: ${rel}\nintegration_branch: main\ntracks:\n${tracks.join('\n')}\n---\n# ${rel}\n`;
  }
  stream.commit({ ref: 'refs/heads/main', mark: ++mark, from: 'refs/heads/main^0', time, message: 'plan', files: plan });
  // Each slice's chain of receipts starts with its slice-planned receipt, which writes its folder.
  const plannedMarks = new Map<string, number>();
  for (let r = 0; r < RELEASES; r += 1) {
    const rel = releaseId(r);
    for (let t = 0; t < TRACKS; t += 1) {
      for (let s = 0; s < SLICES; s += 1) {
        const slice = sliceId(t, s);
        const dirPath = `docs/release/${rel}/${slice}`;
        const receipt: Receipt = { version: 1, event: 'slice-planned', role: 'planner', release: rel, track: trackId(t), slice, state: 'planned' };
        const files = { [`${dirPath}/status.json`]: statusJson({ slice_id: slice, release: rel, track: trackId(t), state: 'planned', last_updated_by: 'baton new-slice' }), [`${dirPath}/spec.md`]: SPEC_MD(slice) };
        stream.commit({ ref: 'refs/heads/main', mark: ++mark, time: (time += 1), message: `docs(release/${rel}/${slice}): plan slice in ${trackId(t)}\n\n${formatReceipt(receipt)}\n`, files });
        plannedMarks.set(`${rel}/${slice}`, mark);
        floor.push(`release-wt/${rel}:${dirPath}/status.json`);
      }
    }
  }
  const planMark = mark;
  const base = await stream.id(planMark);
  for (let r = 0; r < RELEASES; r += 1) {
    const rel = releaseId(r);
    stream.reset(`refs/heads/release-wt/${rel}`, `:${planMark}`);
    receiptRefs.push(`refs/heads/release-wt/${rel}`);
    for (let t = 0; t < TRACKS; t += 1) {
      const ref = `refs/heads/track/${rel}/${trackId(t)}`;
      receiptRefs.push(ref);
      stream.reset(ref, `:${planMark}`);
      const put = (message: string, files: Record<string, string>) => {
        stream.commit({ ref, mark: ++mark, time: (time += 1), message, files });
        return mark;
      };
      for (let s = 0; s < SLICES; s += 1) {
        const slice = sliceId(t, s);
        const folder = `docs/release/${rel}/${slice}`;
        const receipt = (event: 'started' | 'implemented' | 'verdict', state: SliceState, extra: Partial<Receipt>): Receipt => ({ version: 1, event, role: RECEIPT_EVENTS[event], release: rel, track: trackId(t), slice, state, attempt: 1, base, ...extra });
        const status = (state: SliceState, by: string, extra: Record<string, unknown> = {}) => ({ [`${folder}/status.json`]: statusJson({ slice_id: slice, release: rel, track: trackId(t), state, start_commit: base, last_updated_by: by, ...extra }) });
        const planned = await stream.id(plannedMarks.get(`${rel}/${slice}`) as number);
        const started = put(`docs(release/${rel}/${slice}): start implementation\n\n${formatReceipt(receipt('started', 'in_progress', { prev: planned }))}\n`, status('in_progress', 'baton start'));
        floor.push(`track/${rel}/${trackId(t)}:${folder}/status.json`);
        if (s >= SLICES / 2) continue;
        const code = `src/${trackId(t)}/${slice}.ts`;
        const codeMark = put(`feat(${slice}): the work\n`, { [code]: `export const slice = '${slice}';\n` });
        const [prev, candidate] = await Promise.all([stream.id(started), stream.id(codeMark)]);
        const vouched = { candidate, specSha256: sha256(SPEC_MD(slice)), reportSha256: sha256(`verify report of ${slice} at ${candidate}`) };
        const implemented = put(`docs(release/${rel}/${slice}): mark implemented\n\n${formatReceipt(receipt('implemented', 'implemented', { ...vouched, prev }))}\n`, status('implemented', 'baton transition', { actual_files: [code] }));
        const verdict = { result: 'pass', commit: candidate, verdict_at: '2026-11-21T12:00:00Z', violations: [], blocked_reason: null };
        put(`chore(release/${rel}/${slice}): verifier verdict — PASS\n\nVERDICT: PASS\n\n${formatReceipt(receipt('verdict', 'verified', { ...vouched, verdict: 'PASS', prev: await stream.id(implemented) }))}\n`, {
          ...status('verified', 'baton verdict', { actual_files: [code], verification: verdict }),
          [`${folder}/journal.md`]: `# ${slice}\n\n### 2026-11-21T12:00:00Z — PASS on ${candidate.slice(0, 12)}\n\nVERDICT: PASS\n`,
        });
      }
    }
  }
  receiptRefs.push('refs/heads/main');
  await stream.done();
  await git(dir, 'reset', '--quiet', '--hard', 'main');
  return { dir, floorRequests: `${floor.join('\n')}\n`, receiptRefs };
}

export async function benchBoard(batonScript: string, runs: number, starts: Start[], repo: LargeBoardRepo): Promise<Measurement[]> {
  const { dir, floorRequests, receiptRefs } = repo;
  const count = floorRequests.trim().split('\n').length;
  // The floor is the work git must do for this board: read the records it shows (cat-file of the same
  // status files) and read the receipts that prove them (the same `git log` the board runs, over the
  // same refs). As in the verify bench, the floor's commands run one after another, so it is the sum
  // of git's work; the board may run them side by side, which is its own gain. Before receipts the
  // floor was cat-file alone: against it a board that reads receipts would be charged for git's log.
  const floor: Floor = {
    label: `git cat-file --batch of ${count} records + git log of receipts`,
    commands: [
      { command: ['git', 'cat-file', '--batch'], input: floorRequests },
      { command: ['git', ...receiptLogArgs(receiptRefs, 'docs/release')] },
    ],
    cwd: dir,
  };
  // Every slice, and each from its track branch: half of each track verified there, half in progress,
  // every record the one its newest receipt wrote. No warning at all: no unreceipted state, and no
  // receipt rejected, which would mean the generated history is not what baton's commands write.
  const check = (board: Board) =>
    board.releases.length === RELEASES &&
    board.releases.every(
      (release) =>
        release.slices.length === TRACKS * SLICES &&
        release.slices.every((slice) => slice.source?.startsWith('track/') && slice.receipts.receipted) &&
        release.warnings.length === 0 &&
        release.counts.verified === (TRACKS * SLICES) / 2 &&
        release.counts.in_progress === (TRACKS * SLICES) / 2,
    );
  const cli: Measurement[] = [];
  for (const start of starts) {
    cli.push(
      await measure({
        name: `baton board --json, ${RELEASES} releases x ${TRACKS} tracks x ${SLICES} slices (${RELEASES * (TRACKS + 1)} branches), ${start.name}`,
        runs,
        subject: { label: 'baton board --json (Node start-up included)', command: ['node', batonScript, 'board', '--json'], cwd: dir, env: start.env, expectExit: [1], check: (stdout) => check(JSON.parse(stdout) as Board) },
        floor,
      }),
    );
  }
  // The same reading in this process, without Node's start-up: the board's own cost against git's.
  if (!check(await readBoard(await openRepo(dir, {})))) throw new Error('readBoard() did not read the generated board as expected.');
  const inProcess: number[] = [];
  const floorTimes: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    inProcess.push(await time(async () => void (await readBoard(await openRepo(dir, {})))));
    floorTimes.push(await time(async () => floorRun(floor)));
  }
  const subjectMs = median(inProcess);
  const floorMs = median(floorTimes);
  return [
    ...cli,
    { name: 'readBoard() in process (what the board does, without Node start-up)', subjectLabel: 'readBoard()', floorLabel: floor.label, subjectMs, floorMs, ratio: subjectMs / floorMs },
  ];
}
