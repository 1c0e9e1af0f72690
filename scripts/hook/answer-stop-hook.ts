import type { BatonIo } from '../cli.js';
import { BatonError } from '../lib/errors.js';
import { HOOK_CLIENTS, MAX_HOOK_INPUT_BYTES, parseStopHookInput, type HookClient } from './hook-input.js';
import { decideStop, type StopDecision } from './stop-hook.js';
import { cannotCheckNote } from './stop-messages.js';

/**
 * The whole stop hook: the client's input in, the client's answer out (an empty string lets the
 * session stop silently). Nothing escapes as an error: whatever baton cannot check lets the session
 * stop, with a note for the human.
 */
export async function answerStopHook(request: { event: string; client: string }, io: BatonIo): Promise<string> {
  const client = HOOK_CLIENTS.find((known) => known === request.client);
  if (request.event !== 'stop' || client === undefined) {
    const what = request.event !== 'stop' ? `baton hook ${request.event}: the only hook is stop` : `--client ${request.client}: the clients are ${HOOK_CLIENTS.join(', ')}`;
    return formatAnswer({ kind: 'stop', note: cannotCheckNote(what, 'Fix the hook command in the client\'s settings (docs/stop-hook.md).') }, client ?? 'claude');
  }
  return formatAnswer(await decide(client, io), client);
}

async function decide(client: HookClient, io: BatonIo): Promise<StopDecision> {
  try {
    const input = parseStopHookInput(await io.readStdin(MAX_HOOK_INPUT_BYTES), client);
    if ('ignore' in input) return { kind: 'stop' };
    if ('problem' in input) return { kind: 'stop', note: cannotCheckNote(input.problem, undefined) };
    return await decideStop(input, { env: io.env, now: io.now, baton: io.self });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'stop', note: cannotCheckNote(message, error instanceof BatonError ? error.fix : 'This is a bug in baton; please report it.') };
  }
}

/**
 * The answer in the client's words. Claude Code 2.1.329 and Codex 0.169.0 block a stop with
 * `{"decision":"block","reason":…}` and pass the reason to the agent as its next message; Gemini CLI
 * 0.61.0's AfterAgent takes `"deny"` and retries the turn with the reason. All three show
 * `systemMessage` to the human.
 */
export function formatAnswer(decision: StopDecision, client: HookClient): string {
  if (decision.kind === 'block') return `${JSON.stringify({ decision: client === 'gemini' ? 'deny' : 'block', reason: decision.reason })}\n`;
  return decision.note === undefined ? '' : `${JSON.stringify({ systemMessage: decision.note })}\n`;
}
