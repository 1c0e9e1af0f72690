/**
 * One example per command, shown under its --help: the command as a user types it. Kept here, keyed
 * by command name, so the wiring files stay about arguments.
 */
export const EXAMPLES: Record<string, [string, string][]> = {
  board: [['baton board --verbose', 'every release, track and slice, and what to do next'], ['baton board serve --port 0', 'the dashboard on a free port']],
  next: [['baton next S01-export-csv', 'the next protocol command for the slice']],
  brief: [['baton brief S01-export-csv', "what the session that moves the slice on needs to start"], ['baton brief --role planner --level minimal', 'the one open release, for the planner, in brief']],
  verify: [['baton verify S01-export-csv', "check the slice's proof bundle against the repository"]],
  'changed-files': [['baton changed-files S01-export-csv', "the slice's changed files, one per line"]],
  log: [['baton log 2026-11-21-billing', 'every receipt of the release, oldest first'], ['baton log S01-export-csv --json', "the slice's receipts as NDJSON"]],
  'new-release': [['baton new-release 2026-12-01-billing --title "Billing exports"', 'a release integrating into the current branch']],
  'new-slice': [['baton new-slice S01-export-csv --track T1-exports', 'a slice in the one open release (else add --release <id>)']],
  'track-deps': [['baton track-deps T2-pdf --depends-on T1-exports', 'T2-pdf waits for T1-exports to be merged'], ['baton track-deps T2-pdf --none', 'it depends on no track']],
  'drop-slice': [['baton drop-slice S04-mistake', 'remove a planned slice that was never started']],
  worktree: [['baton worktree S01-export-csv', "the release and track worktrees of the slice"]],
  start: [['baton start S01-export-csv', 'planned → in_progress']],
  evidence: [['baton evidence S01-export-csv --test-command "npm test" --reachability "test/export.test.ts:3 — clicks Export"', 'record how the work is tested and reached']],
  stopped: [['baton stopped S01-export-csv --reason "the export needs the billing API key; asked the human for it"', 'record why the implementation stopped; the slice stays in_progress']],
  transition: [['baton transition S01-export-csv implemented', 'in_progress → implemented, once baton verify passes']],
  verdict: [['baton verdict S01-export-csv PASS --notes-file /tmp/verdict.md', "record the verifier's verdict"]],
  unblock: [['baton unblock S01-export-csv --state failed_verification --notes-file /tmp/answer.md', 'answer a BLOCKED verdict']],
  reopen: [['baton reopen S01-export-csv --notes-file /tmp/why.md', 'send a slice back to implementation']],
  defer: [['baton defer S01-export-csv --notes-file /tmp/card.md', 'move the slice out of the release']],
  merged: [['baton merged T1-exports', 'record the track as merged into release-wt']],
  ship: [['baton ship --deployed v1.4.0', 'every verified slice of the one open release → shipped']],
  gate: [['baton gate merge-track T1-exports', 'may the track be merged?'], ['baton gate merge-release', 'may the one open release be merged?']],
  matrix: [['baton matrix', 'the touchpoint matrix of the one open release']],
  hook: [['baton hook stop --client codex < input.json', "answer a client's stop-hook input (docs/stop-hook.md)"]],
};
