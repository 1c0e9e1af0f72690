import { randomUUID } from 'node:crypto';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { errnoCode } from '../../scripts/lib/errors.js';
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

const OPENCODE = path.join(REPO_ROOT, 'node_modules/.bin/opencode');
const QWEN = path.join(REPO_ROOT, 'node_modules/.bin/qwen');

/** The texts of an OpenAI Chat Completions request: every text of every user message, in order. */
function chatUserTexts(request: RecordedRequest): string[] {
  const body = JSON.parse(request.body) as { messages?: { role: string; content: string | { type: string; text?: string }[] }[] };
  const parts: string[] = [];
  for (const message of (body.messages ?? []).filter((item) => item.role === 'user')) {
    if (typeof message.content === 'string') parts.push(message.content);
    else for (const block of message.content) if (block.type === 'text' && block.text) parts.push(block.text);
  }
  return parts;
}

/** The conversation's own request: a side request (OpenCode's title) offers the model no tools. */
function conversationRequest(requests: RecordedRequest[], marker: string): RecordedRequest | undefined {
  return requests.find((request) => request.url.includes('/chat/completions') && request.body.includes(marker) && Array.isArray((JSON.parse(request.body) as { tools?: unknown }).tools));
}

/** Ends a client's whole process group (OpenCode leaves a background package install running). */
function endGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    // The group may be gone already: every process in it ended with the client.
    if (errnoCode(error) !== 'ESRCH') throw error;
  }
}

/**
 * OpenCode's environment: every folder it writes under `home`, its model the recording server, and its
 * background install of its plugin package sent to the recording server too, so it stays off the network.
 */
function openCodeEnv(server: RecordingServer, home: string, env: Record<string, string> = {}): Record<string, string> {
  const provider = { npm: '@ai-sdk/openai-compatible', options: { baseURL: `${server.url}/v1`, apiKey: 'test' }, models: { 'test-model': {} } };
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_CONFIG_CONTENT: JSON.stringify({ model: 'recorder/test-model', small_model: 'recorder/test-model', provider: { recorder: provider } }),
    npm_config_registry: `${server.url}/npm-registry/`,
    ...env,
  };
}

/**
 * `opencode run --command <name> <args…>`, OpenCode's command line form of typing `/<name> <args>`.
 * The run is the conversation request that carries `marker`.
 */
export async function runOpenCode(server: RecordingServer, options: { command: string; args: string; marker: string; home: string; cwd: string; env?: Record<string, string> }): Promise<ClientRun> {
  await requireBinary(OPENCODE, 'OpenCode');
  const before = server.requests.length;
  const child = execa(OPENCODE, ['run', '--command', options.command, ...options.args.split(' ')], {
    cwd: options.cwd,
    env: openCodeEnv(server, options.home, options.env),
    extendEnv: false,
    reject: false,
    timeout: 120_000,
    input: '',
    detached: true,
  });
  const result = await child.finally(() => endGroup(child.pid));
  const request = conversationRequest(server.requests.slice(before), options.marker);
  // Exit 0 also says that the model's answer came back and OpenCode took it.
  if (!request || result.exitCode !== 0) throw new Error(`OpenCode sent no request carrying "${options.marker}", or failed (exit ${result.exitCode}).\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return withTexts(`/${options.command} ${options.args}`, request, chatUserTexts(request), result);
}

/** What OpenCode's server lists: GET /command (what the TUI offers after `/`) and GET /skill. */
export interface OpenCodeCommand {
  name: string;
  source?: string;
  description?: string;
  template?: unknown;
}
export interface OpenCodeSkill {
  name: string;
  location: string;
  description?: string;
}

/** A running `opencode serve`, the engine behind OpenCode's TUI. */
export interface OpenCodeServer {
  /**
   * Runs `/<command> <args>` as the TUI does when the user types it (POST /session/:id/command, in a new
   * session); the run is the conversation request that carries `marker`. Several may run at once.
   */
  command(command: string, args: string, marker: string): Promise<ClientRun>;
  commands(): Promise<OpenCodeCommand[]>;
  skills(): Promise<OpenCodeSkill[]>;
  close(): void;
}

/**
 * Starts `opencode serve` in `cwd`. One server runs many commands in a few seconds each, where every
 * `opencode run` would start OpenCode afresh; a command goes through the same code either way.
 */
export async function startOpenCode(server: RecordingServer, options: { home: string; cwd: string; env?: Record<string, string> }): Promise<OpenCodeServer> {
  await requireBinary(OPENCODE, 'OpenCode');
  const child = execa(OPENCODE, ['serve', '--port', '0', '--hostname', '127.0.0.1'], {
    cwd: options.cwd,
    env: openCodeEnv(server, options.home, options.env),
    extendEnv: false,
    reject: false,
    detached: true,
    all: true,
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opencode serve did not start within 60 s:\n${output}`)), 60_000);
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`opencode serve exited (${result.exitCode}) before it listened:\n${output}`));
    });
  }).catch((error: unknown) => {
    endGroup(child.pid);
    throw error;
  });
  const call = async <T>(route: string, body?: unknown): Promise<T> => {
    const reply = await fetch(`${url}${route}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await reply.text();
    if (!reply.ok) throw new Error(`OpenCode answered ${route} with ${reply.status}: ${text}\nserver output:\n${output}`);
    return JSON.parse(text) as T;
  };
  return {
    async command(command, args, marker) {
      const before = server.requests.length;
      const session = await call<{ id: string }>('/session', {});
      const reply = await call<{ info?: { error?: unknown } }>(`/session/${session.id}/command`, { command, arguments: args });
      const request = conversationRequest(server.requests.slice(before), marker);
      if (!request) throw new Error(`OpenCode sent no request carrying "${marker}" for /${command}.\nserver output:\n${output}`);
      // The model's answer came back and OpenCode took it: the whole turn ran, not only the request.
      if (reply.info?.error !== undefined) throw new Error(`OpenCode's turn for /${command} ended in an error: ${JSON.stringify(reply.info.error)}`);
      // The server goes on running: no exit code, and its output so far.
      return withTexts(`/${command} ${args}`, request, chatUserTexts(request), { exitCode: undefined, stdout: output, stderr: '' });
    },
    commands: () => call<OpenCodeCommand[]>('/command'),
    skills: () => call<OpenCodeSkill[]>('/skill'),
    close: () => endGroup(child.pid),
  };
}

/**
 * Qwen Code's own settings for a test home: no usage statistics sent anywhere, and no memory
 * extraction, a second model request after every answer. Written whole and renamed into place, since a
 * Qwen Code started at the same moment may be reading it.
 */
async function configureQwen(qwenHome: string): Promise<void> {
  await mkdir(qwenHome, { recursive: true });
  const file = path.join(qwenHome, 'settings.json');
  const temporary = `${file}.${process.pid}-${randomUUID()}`;
  const settings = { privacy: { usageStatisticsEnabled: false }, memory: { enableManagedAutoMemory: false, enableManagedAutoDream: false } };
  await writeFile(temporary, `${JSON.stringify(settings, null, 2)}\n`);
  await rename(temporary, file);
}

/** What Qwen Code did with one prompt: the run, or, when no request carried `marker`, its exit and output. */
export interface QwenRun {
  run: ClientRun | undefined;
  exitCode: number | undefined;
  output: string;
  /** Every request it sent, for what it lists (the skills). */
  requests: RecordedRequest[];
}

/**
 * `qwen -p "<prompt>"` against the recording server through its OpenAI-compatible provider
 * (OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL select it). The run is the conversation request
 * that carries `marker`. QWEN_CODE_NO_RELAUNCH spares the second Node.js process Qwen Code starts to
 * raise its own memory limit.
 */
export async function runQwen(server: RecordingServer, options: { prompt: string; marker: string; home: string; cwd: string; env?: Record<string, string> }): Promise<QwenRun> {
  await requireBinary(QWEN, 'Qwen Code');
  await configureQwen(options.env?.QWEN_HOME ?? path.join(options.home, '.qwen'));
  const before = server.requests.length;
  const result = await execa(QWEN, ['-p', options.prompt], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.home, OPENAI_API_KEY: 'test', OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_MODEL: 'test-model', QWEN_CODE_NO_RELAUNCH: 'true', ...options.env },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
    input: '',
    all: true,
  });
  const requests = server.requests.slice(before).filter((request) => request.url.includes('/chat/completions'));
  const request = conversationRequest(requests, options.marker);
  return { run: request ? withTexts(options.prompt, request, chatUserTexts(request), result) : undefined, exitCode: result.exitCode, output: result.all ?? '', requests };
}

export const GEMINI = path.join(REPO_ROOT, 'node_modules/.bin/gemini');

/** The model Gemini CLI is told to use: without `-m` it first asks a routing model, and retries that for a minute and a half. */
const GEMINI_MODEL = 'gemini-2.5-flash';

/**
 * The environment Gemini CLI runs in offline: an API key (any), the recording server as its API, the
 * workspace trusted (otherwise it exits 55) and no relaunch into a child process. `geminiHome` is what
 * GEMINI_CLI_HOME is set to, when set.
 */
export function geminiEnv(server: RecordingServer, home: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    GEMINI_API_KEY: 'test-not-a-real-key',
    GOOGLE_GEMINI_BASE_URL: server.url,
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    GEMINI_CLI_NO_RELAUNCH: '1',
    ...env,
  };
}

/** Gemini CLI reads its settings from <GEMINI_CLI_HOME or HOME>/.gemini; without an auth type it exits 41. */
async function configureGemini(geminiHome: string): Promise<void> {
  await mkdir(path.join(geminiHome, '.gemini'), { recursive: true });
  await writeFile(path.join(geminiHome, '.gemini', 'settings.json'), `${JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } })}\n`);
}

/** `gemini -p "<prompt>"` with HOME (and GEMINI_CLI_HOME, when given) pointing at test folders. */
export async function runGemini(server: RecordingServer, options: { prompt: string; home: string; cwd: string; env?: Record<string, string>; args?: string[] }): Promise<ClientRun> {
  await requireBinary(GEMINI, 'Gemini CLI');
  await configureGemini(options.env?.GEMINI_CLI_HOME ?? options.home);
  const before = server.requests.length;
  const result = await execa(GEMINI, ['-m', GEMINI_MODEL, '-p', options.prompt, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: geminiEnv(server, options.home, options.env),
    extendEnv: false,
    reject: false,
    timeout: 120_000,
    input: '',
  });
  const request = server.requests.slice(before).find((candidate) => candidate.url.includes(':streamGenerateContent'));
  if (!request) {
    throw new Error(`Gemini CLI sent no request to the recording server (exit ${result.exitCode}).\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return withTexts(options.prompt, request, geminiTexts(request), result);
}

/** The texts of a Gemini generateContent request: the system instruction, then every text part of every turn. */
function geminiTexts(request: RecordedRequest): string[] {
  const body = JSON.parse(request.body) as { systemInstruction?: { parts?: { text?: string }[] }; contents?: { parts?: { text?: string }[] }[] };
  const parts = (body.systemInstruction?.parts ?? []).flatMap((part) => (part.text ? [part.text] : []));
  for (const turn of body.contents ?? []) for (const part of turn.parts ?? []) if (part.text) parts.push(part.text);
  return parts;
}

/** A skill Gemini CLI lists to the model: name, description and the SKILL.md it comes from. */
export interface ListedSkill {
  name: string;
  description: string;
  location: string;
}

/** The skills a Gemini CLI request lists in its system instruction's `<available_skills>`. */
export function listedSkills(run: ClientRun): ListedSkill[] {
  const pattern = /<skill>\s*<name>([^<]*)<\/name>\s*<description>([^<]*)<\/description>\s*<location>([^<]*)<\/location>\s*<\/skill>/g;
  return [...run.text.matchAll(pattern)].map((match) => ({ name: match[1] as string, description: match[2] as string, location: match[3] as string }));
}
