import type { Brief } from '../../scripts/brief/brief.js';
import { receiptLogArgs } from '../../scripts/lib/read-receipts.js';
import { type LargeBoardRepo, releaseId, sliceId } from './bench-board.js';
import { measure, type Measurement, type Start } from './measure.js';

/**
 * `baton brief` on the large board's first slice (verified, on its track branch), for its default
 * role. Its floor is the git work the brief cannot avoid: the records of its release (which the board
 * it reads shows) and the receipts of every branch (its timeline, as `baton log` reads them). The
 * subject also loads the tokenizer (about 100 ms), which no git work matches: the ratio says what the
 * brief costs beyond git, that load included.
 */
export async function benchBrief(batonScript: string, runs: number, starts: Start[], repo: LargeBoardRepo): Promise<Measurement[]> {
  const release = releaseId(0);
  const slice = sliceId(0, 0);
  const records = repo.floorRequests.split('\n').filter((line) => line.includes(`/${release}/`));
  const floor = {
    label: `git cat-file --batch of ${records.length} records + git log of every branch's receipts`,
    commands: [
      { command: ['git', 'cat-file', '--batch'], input: `${records.join('\n')}\n` },
      { command: ['git', ...receiptLogArgs(['--branches', '--remotes'], 'docs/release')] },
    ],
    cwd: repo.dir,
  };
  const check = (stdout: string) => {
    const brief = JSON.parse(stdout) as Brief;
    return brief.slice === slice && brief.release === release && brief.sections[0]?.id === 'position' && /^[0-9a-f]{64}$/.test(brief.digest);
  };
  const measurements: Measurement[] = [];
  for (const start of starts) {
    measurements.push(
      await measure({
        name: `baton brief ${slice} ${release} --json, on that board, ${start.name}`,
        runs,
        subject: { label: 'baton brief --json (Node start-up and tokenizer load included)', command: ['node', batonScript, 'brief', slice, release, '--json'], cwd: repo.dir, env: start.env, expectExit: [0], check },
        floor,
      }),
    );
  }
  return measurements;
}
