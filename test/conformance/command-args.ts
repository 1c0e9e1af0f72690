/** The arguments each baton command is invoked with in the conformance suites: every shape it takes. */
export const ARGS: Record<string, string> = {
  'plan-release': '2026-11-21-billing',
  'replan-release': '2026-11-21-billing',
  'implement-slice': 'S03a-export-csv 2026-11-21-billing',
  'verify-slice': 'S03a-export-csv 2026-11-21-billing',
  'merge-track': 'T1-exports 2026-11-21-billing',
  'merge-release': '2026-11-21-billing',
  'mark-shipped': '2026-11-21-billing',
};

export const COMMANDS = Object.keys(ARGS);
