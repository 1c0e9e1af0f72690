import { doubleQuote, shellQuote } from '../../scripts/lib/shell-quote.js';
import type { ModelScript, ToolCall } from './recording-server.js';

/**
 * A scripted agent session: the steps a model takes, each turned into a tool call when the client asks
 * for the next turn, so a step can use what the earlier ones returned. The steps use the client's own
 * tools the way an agent does in it: Claude Code's `Read` and `Write` for files and `Bash` for
 * commands; Codex's `exec_command` for everything.
 */

export interface Turn {
  /** Every text of the conversation so far: the expanded command, the instructions. */
  text: string;
  /** The tool results so far, oldest first. */
  results: string[];
  /** The result of the step added under `label`. */
  result(label: string): string;
}

export type Step = (turn: Turn) => ToolCall;

/** How an agent works with files and commands in one client. */
export interface AgentTools {
  shell(command: string): ToolCall;
  /** Reading a file; its content comes back as the result. */
  read(file: string): ToolCall;
  /** Writing a whole file, as steps (Claude Code's Write needs a Read of an existing file first). */
  write(file: (turn: Turn) => string, content: (turn: Turn) => string): Step[];
}

export const CLAUDE_TOOLS: AgentTools = {
  shell: (command) => command,
  read: (file) => ({ tool: 'Read', input: { file_path: file } }),
  write: (file, content) => [(turn) => ({ tool: 'Read', input: { file_path: file(turn) } }), (turn) => ({ tool: 'Write', input: { file_path: file(turn), content: content(turn) } })],
};

export const CODEX_TOOLS: AgentTools = {
  shell: (command) => command,
  read: (file) => `cat ${shellQuote(file)}`,
  write: (file, content) => [(turn) => `cat > ${shellQuote(file(turn))} <<'BATON_AGENT_EOF'\n${content(turn).replace(/\n$/, '')}\nBATON_AGENT_EOF`],
};

/** The steps of one session, with labels for the results later steps read. */
export class AgentSession {
  readonly steps: Step[] = [];
  private readonly labels = new Map<string, number>();

  constructor(readonly tools: AgentTools) {}

  /** A shell command, built from the turn when it is due. */
  shell(command: (turn: Turn) => string, label?: string): this {
    return this.add((turn) => this.tools.shell(command(turn)), label);
  }

  read(file: (turn: Turn) => string, label?: string): this {
    return this.add((turn) => this.tools.read(file(turn)), label);
  }

  write(file: (turn: Turn) => string, content: (turn: Turn) => string): this {
    this.steps.push(...this.tools.write(file, content));
    return this;
  }

  /** The result of the step labelled `label`, among a finished session's results. */
  resultOf(results: string[], label: string): string {
    const index = this.labels.get(label);
    const found = index === undefined ? undefined : results[index];
    if (found === undefined) throw new Error(`No result for the step labelled ${label}`);
    return found;
  }

  /** `git add` and `git commit` of the given files in `dir`, as one shell call. */
  commit(dir: () => string, files: () => string[], message: (turn: Turn) => string[], label?: string): this {
    return this.shell((turn) => {
      const paths = files().map(doubleQuote).join(' ');
      const messages = message(turn).map((part) => `-m ${doubleQuote(part)}`).join(' ');
      return `git -C ${doubleQuote(dir())} add -- ${paths} && git -C ${doubleQuote(dir())} commit -q ${messages}`;
    }, label);
  }

  private add(step: Step, label?: string): this {
    if (label !== undefined) this.labels.set(label, this.steps.length);
    this.steps.push(step);
    return this;
  }

  /** The model's side of the conversation; an error in a step ends the turn and is kept for the test. */
  script(onError: (error: unknown) => void): ModelScript {
    return ({ text, results }) => {
      const step = this.steps[results.length];
      if (!step) return undefined;
      try {
        return step({ text, results, result: (label) => this.resultOf(results, label) });
      } catch (error) {
        onError(error);
        return undefined;
      }
    };
  }
}
