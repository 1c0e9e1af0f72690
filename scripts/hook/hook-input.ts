/**
 * What an agent client tells a stop hook, read from the JSON it writes to the hook's standard input.
 * The three clients send the same core fields (checked with the real binaries; docs/stop-hook.md):
 *
 *   Claude Code 2.1.329 (Stop):        session_id, cwd, hook_event_name, stop_hook_active, transcript_path, …
 *   Codex 0.169.0 (Stop):              session_id (the thread id), turn_id, cwd, hook_event_name, stop_hook_active, …
 *   Gemini CLI 0.61.0 (AfterAgent):    session_id, cwd, hook_event_name, stop_hook_active, prompt_response, …
 */

/** The clients whose stop hooks baton answers; each names its sessions in receipts as `<client>:<id>`. */
export const HOOK_CLIENTS = ['claude', 'codex', 'gemini'] as const;
export type HookClient = (typeof HOOK_CLIENTS)[number];

/** The events that mean "the agent is about to end its turn". */
const STOP_EVENTS = ['Stop', 'AfterAgent'];

export interface StopHookInput {
  client: HookClient;
  /** `<client>:<id>`, as the Baton-Session trailer of the session's receipts names it. */
  session: string;
  /** The session's working folder. */
  cwd: string;
  /** True when the client already sent the agent back once in this turn. */
  stopHookActive: boolean;
}

/** The largest input read; Claude Code's carries the last assistant message, which may be long. */
export const MAX_HOOK_INPUT_BYTES = 4 * 1024 * 1024;

const SESSION_ID = /^[A-Za-z0-9._-]{1,80}$/;

/**
 * The input of a stop event, `{ ignore }` for an event that is not a stop (the hook was wired to
 * another event, or to SubagentStop: a subagent ends its own task, not the slice), or `{ problem }`
 * when it cannot be read.
 */
export function parseStopHookInput(text: string, client: HookClient): StopHookInput | { ignore: string } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: text.trim() === '' ? 'the client sent no hook input' : 'the hook input is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'the hook input is not a JSON object' };
  const input = value as Record<string, unknown>;
  const event = input.hook_event_name;
  if (typeof event === 'string' && !STOP_EVENTS.includes(event)) return { ignore: `the event ${event.slice(0, 40)} is not a stop` };
  const id = input.session_id;
  if (typeof id !== 'string' || !SESSION_ID.test(id)) return { problem: 'the hook input has no session_id baton can read' };
  const cwd = input.cwd;
  if (typeof cwd !== 'string' || cwd === '') return { problem: 'the hook input has no cwd' };
  return { client, session: `${client}:${id}`, cwd, stopHookActive: input.stop_hook_active === true };
}
