/**
 * The one error vocabulary of baton's programs. Core code throws these; the CLI's single top-level
 * catch maps them to an exit code and prints the message with its fix.
 *
 * Exit codes everywhere: 0 success or pass, 1 a finding (a check failed, a gate is closed),
 * 2 usage or operational error (nothing was judged).
 */
export type ExitCode = 0 | 1 | 2;

export interface BatonErrorOptions {
  /** One sentence telling the user what to do about it. */
  fix?: string;
  cause?: unknown;
}

/** Base class: a failure we understand, with a message for the user and usually a fix. */
export class BatonError extends Error {
  readonly fix: string | undefined;
  readonly exitCode: ExitCode = 2;

  constructor(message: string, options: BatonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.fix = options.fix;
  }
}

/** The command line itself is wrong: unknown flag, malformed id, missing argument. */
export class UsageError extends BatonError {}

/** The program could not do its job: not a repository, a file it cannot read, a base that does not resolve. */
export class OperationalError extends BatonError {}

/** A finding that is not a crash: a gate is closed, a transition is refused. Exit code 1. */
export class FindingError extends BatonError {
  override readonly exitCode: ExitCode = 1;
}

/** Renders any thrown value for a terminal: message, fix, and the stack only when asked for. */
export function formatError(error: unknown, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  if (error instanceof BatonError) {
    lines.push(`error: ${error.message}`);
    if (error.fix) lines.push(`fix: ${error.fix}`);
    if (error.cause instanceof Error) lines.push(`cause: ${error.cause.message}`);
  } else if (error instanceof Error) {
    lines.push(`error: ${error.message}`);
    if (!options.verbose) lines.push('This is a bug in baton. Run again with DEBUG=1 for the stack trace.');
  } else {
    lines.push(`error: ${String(error)}`);
  }
  if (options.verbose && error instanceof Error && error.stack) lines.push(error.stack);
  return lines.join('\n');
}

/** Any thrown value as the JSON object `--json` prints on stdout: `{ "error", "fix" }`, `fix` null when there is none. */
export function errorJson(error: unknown): { error: string; fix: string | null; exitCode: ExitCode } {
  if (error instanceof BatonError) return { error: error.message, fix: error.fix ?? null, exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return { error: message, fix: 'This is a bug in baton. Run again with DEBUG=1 for the stack trace.', exitCode: 2 };
}

/** The exit code for a thrown value: ours carry one; anything else is an unexpected crash. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof BatonError ? error.exitCode : 2;
}

/** Node's system errors carry a code such as ENOENT; this reads it without an unsafe cast. */
export function errnoCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** A file-system error in words a person reads, with its code: `permission denied (EACCES)`. */
export function describeFsError(error: unknown): string {
  const code = errnoCode(error);
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EISDIR: 'a directory is in the way',
    ENOTDIR: 'a file is in the way of a folder',
    EEXIST: 'something appeared in the way while installing',
  };
  const message = error instanceof Error ? error.message : String(error);
  return code && reasons[code] ? `${reasons[code]} (${code})` : message;
}
