import type { SliceState, VerdictResult } from '../lib/status.js';

/**
 * The slice state machine, as a table: which action may move a slice from which state, and why every
 * other combination is refused. Every baton command that changes a slice's state asks here first.
 *
 *   planned → in_progress → implemented → verified → shipped
 *   implemented → failed_verification → in_progress
 *   in_progress stays in_progress when the implementer records a stop (baton stopped)
 *   implemented stays implemented with a BLOCKED verdict until the planner resolves it
 *   anything not yet verified → deferred
 *   verified or failed_verification → failed_verification when the planner re-opens it (reopen)
 */

export type SliceAction = 'start' | 'evidence' | 'stop' | 'implement' | 'pass' | 'fail' | 'block' | 'unblock' | 'defer' | 'ship' | 'reopen';

export type TransitionCheck = { allowed: true; to: SliceState } | { allowed: false; reason: string; fix: string };

/**
 * The states `unblock` may send a BLOCKED slice to. Not `implemented`: its proof was written against
 * the spec the verdict found wrong, and only the implementer may rewrite a proof, so the slice goes back
 * to them (failed_verification) or starts over (planned).
 */
export const UNBLOCK_STATES = ['failed_verification', 'planned'] as const;

const refuse = (reason: string, fix: string): TransitionCheck => ({ allowed: false, reason, fix });

export function checkTransition(action: SliceAction, state: SliceState, verdict: VerdictResult | null, unblockTo?: SliceState): TransitionCheck {
  const blocked = state === 'implemented' && verdict === 'blocked';
  const done = state === 'verified' || state === 'shipped' || state === 'deferred';
  if (action === 'reopen') {
    if (state === 'verified' || state === 'failed_verification') return { allowed: true, to: 'failed_verification' };
    return refuse(`the slice is ${state}; only a verified slice, or one that failed verification, is re-opened`, state === 'shipped' || state === 'deferred' ? 'Plan further work as a new slice.' : 'It is already open for the implementer; nothing to re-open.');
  }
  if (done && action !== 'ship') {
    return refuse(`the slice is ${state}, and a ${state} slice does not change any more`, state === 'verified' ? 'If its code changed after the PASS, the planner re-opens it with baton reopen; a new change to verified work is a new slice (replan-release).' : 'Plan any further work as a new slice.');
  }
  if (blocked && action !== 'unblock' && action !== 'defer') {
    return refuse('the slice has an open BLOCKED verdict', 'Only the planner can resolve it: run the replan-release command, which amends the spec and runs baton unblock.');
  }
  switch (action) {
    case 'start':
      if (state === 'planned' || state === 'failed_verification') return { allowed: true, to: 'in_progress' };
      if (state === 'in_progress') return refuse('the slice is already in_progress', 'Carry on with the implementation; there is nothing to start.');
      return refuse('the slice is implemented and waits for its verifier', 'Run the verify-slice command in a fresh session.');
    case 'stop':
      if (state === 'in_progress') return { allowed: true, to: 'in_progress' };
      return refuse(`the slice is ${state}, not in_progress: there is no implementation to stop`, state === 'implemented' ? 'It waits for its verifier; nothing to record.' : 'Start it first with baton start.');
    case 'evidence':
    case 'implement':
      if (state === 'in_progress') return { allowed: true, to: action === 'implement' ? 'implemented' : 'in_progress' };
      // Claimed again: work committed after the claim makes a new candidate (baton transition checks HEAD moved).
      if (state === 'implemented' && action === 'implement') return { allowed: true, to: 'implemented' };
      if (state === 'implemented') return refuse('the slice is already implemented', 'Run the verify-slice command in a fresh session.');
      return refuse(`the slice is ${state}, not in_progress`, 'Start it first with baton start.');
    case 'pass':
    case 'fail':
    case 'block':
      if (state === 'implemented') return { allowed: true, to: action === 'pass' ? 'verified' : action === 'fail' ? 'failed_verification' : 'implemented' };
      return refuse(`the slice is ${state}; only an implemented slice gets a verdict`, state === 'failed_verification' ? 'The implementer must fix it and mark it implemented again.' : 'Finish the implementation with baton transition first.');
    case 'unblock':
      if (!blocked) return refuse('the slice has no open BLOCKED verdict', 'There is nothing to resolve; use baton defer or a new slice for other changes of plan.');
      if (unblockTo && (UNBLOCK_STATES as readonly string[]).includes(unblockTo)) return { allowed: true, to: unblockTo };
      return refuse(`a resolved BLOCKED slice goes to ${UNBLOCK_STATES.join(', ')}, not ${unblockTo ?? 'nowhere'}`, 'Pass --state failed_verification (the implementer brings code and proof in line with the amended spec, even if the code already meets it) or planned (start over).');
    case 'defer':
      return { allowed: true, to: 'deferred' };
    case 'ship':
      if (state === 'verified') return { allowed: true, to: 'shipped' };
      if (state === 'shipped' || state === 'deferred') return refuse(`the slice is ${state}`, 'Nothing to ship.');
      return refuse(`the slice is ${state}; only verified slices ship`, 'Verify it first.');
  }
}
