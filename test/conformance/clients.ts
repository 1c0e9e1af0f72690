import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/run.js';
import type { RecordedRequest, RecordingServer } from './recording-server.js';

/**
 * Running the real Claude Code and Codex binaries (devDependencies) against the recording server.
 * A client that cannot start fails the test with its own output; nothing here is skipped.
 */

export const CLAUDE = path.join(REPO_ROOT, 'node_modules/.bin/claude');
export const CODEX = path.join(REPO_ROOT, 'node_modules/.bin/codex');

export interface ClientRun {
  prompt: string;
  /** The request that carried the prompt to the model. */
  request: RecordedRequest;
  /** Each text block of that request, in order. */
  texts: string[];
  /** The blocks joined: every text the model would have read in that request. */
  text: string;
  /** How the client process ended, for a test that needs it to have finished its turn. */
  exit: { code: number | undefined; stdout: string; stderr: string };
}

async function requireBinary(file: string, name: string): Promise<void> {
  await access(file).catch(() => {
    throw new Error(`${name} is not installed at ${file}. Run npm install (it is a devDependency of this repository).`);
  });
}

/** `claude -p "<prompt>"` with HOME (and any overrides) pointing at test folders. */
export async function runClaude(server: RecordingServer, options: { prompt: string; home: string; cwd: string; env?: Record<string, string>; args?: string[] }): Promise<ClientRun> {
  await requireBinary(CLAUDE, 'Claude Code');
  const before = server.requests.length;
  const result = await execa(CLAUDE, ['-p', options.prompt, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.home,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-test-not-a-real-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      ...options.env,
    },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
    input: '',
  });
  const requests = server.requests.slice(before).filter((request) => request.url.includes('/messages'));
  const request = requests.find((candidate) => candidate.body.includes(options.prompt.split(' ')[0] ?? options.prompt));
  if (!request) {
    throw new Error(`Claude Code sent no request carrying "${options.prompt}" (exit ${result.exitCode}).\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return withTexts(options.prompt, request, messageTexts(request), result);
}

function withTexts(prompt: string, request: RecordedRequest, texts: string[], result: { exitCode?: number; stdout: unknown; stderr: unknown }): ClientRun {
  return { prompt, request, texts, text: texts.join('\n\n'), exit: { code: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) } };
}

/** The texts of an Anthropic Messages request: every text block of every message. */
function messageTexts(request: RecordedRequest): string[] {
  const body = JSON.parse(request.body) as { system?: unknown; messages?: { content: string | { type: string; text?: string }[] }[] };
  const parts: string[] = [];
  for (const message of body.messages ?? []) {
    if (typeof message.content === 'string') parts.push(message.content);
    else for (const block of message.content) if (block.type === 'text' && block.text) parts.push(block.text);
  }
  return parts;
}

/**
 * Points Codex at the recording server with `-c` overrides, not its configuration file, so that what
 * `codex plugin marketplace add` and `codex plugin add` wrote there stays.
 */
function recorderConfig(server: RecordingServer): string[] {
  const settings = ['model="test-model"', 'model_provider="recorder"', 'model_providers.recorder.name="recorder"', `model_providers.recorder.base_url="${server.url}/v1"`, 'model_providers.recorder.wire_api="responses"'];
  return settings.flatMap((setting) => ['-c', setting]);
}

/** `codex exec '<prompt>'` with HOME and CODEX_HOME pointing at test folders; `settings` are the user's own config.toml lines. */
export async function runCodex(server: RecordingServer, options: { prompt: string; home: string; codexHome: string; cwd: string; args?: string[]; settings?: string }): Promise<ClientRun> {
  await requireBinary(CODEX, 'Codex');
  await mkdir(options.codexHome, { recursive: true });
  // The user's own settings, when a test gives them; otherwise config.toml stays as Codex left it.
  if (options.settings !== undefined) await writeFile(path.join(options.codexHome, 'config.toml'), `${options.settings}\n`);
  const before = server.requests.length;
  const result = await execa(CODEX, ['exec', '--skip-git-repo-check', ...recorderConfig(server), ...(options.args ?? []), options.prompt], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.home, CODEX_HOME: options.codexHome },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
    input: '',
  });
  const request = server.requests.slice(before).find((candidate) => candidate.url.includes('/responses'));
  if (!request) {
    throw new Error(`Codex sent no request to the recording server (exit ${result.exitCode}).\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return withTexts(options.prompt, request, inputTexts(request), result);
}

/** The texts of an OpenAI Responses request: the instructions, then every input text of every input item. */
function inputTexts(request: RecordedRequest): string[] {
  const body = JSON.parse(request.body) as { instructions?: string; input?: { content?: string | { type: string; text?: string }[] }[] };
  const parts: string[] = body.instructions ? [body.instructions] : [];
  for (const item of body.input ?? []) {
    if (typeof item.content === 'string') parts.push(item.content);
    else for (const block of item.content ?? []) if (block.text) parts.push(block.text);
  }
  return parts;
}
