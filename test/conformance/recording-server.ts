import { createServer, type Server } from 'node:http';

/**
 * A stand-in for the model APIs: it records every request the real clients send and answers with the
 * smallest valid reply (Anthropic's Messages API for Claude Code, OpenAI's Responses API for Codex,
 * OpenAI's Chat Completions API for OpenCode and Qwen Code, Gemini's streamGenerateContent for Gemini CLI),
 * so a test sees exactly what the model would have received. With a script it answers with tool calls
 * instead: the client's shell tool (Claude Code's `Bash`, Codex's `exec_command`) runs each command the
 * script gives, and the tool's result comes back in the client's next request.
 */

/**
 * One tool call of the scripted model: a command line for the client's shell tool, or a call of another
 * tool by its name and input (Claude Code's `Write` or `Read`, for example).
 */
export type ToolCall = string | { tool: string; input: Record<string, unknown> };

/**
 * What the scripted model does next in a conversation: a tool call, or undefined to end the turn with
 * a short text. `text` is every text of the conversation (the expanded command among them); `results`
 * are the tool results the client sent so far, oldest first.
 */
export type ModelScript = (conversation: { text: string; results: string[] }) => ToolCall | undefined;

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
}

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingServer(options: { script?: ModelScript } = {}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', body });
      let parsed: { model?: string; stream?: boolean } & Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // Not JSON (a HEAD probe, a GET): answered below by path.
      }
      const call = options.script ? scriptedCall(options.script, request.url ?? '', parsed) : undefined;
      if (request.url?.includes('/messages')) return call === undefined ? answerAnthropic(response, parsed) : callAnthropicTool(response, parsed, call, requests.length);
      if (request.url?.includes('/responses')) return call === undefined ? answerOpenAi(response, parsed) : callOpenAiTool(response, parsed, call, requests.length);
      if (request.url?.includes('/chat/completions')) return answerChatCompletions(response, parsed);
      if (request.url?.includes(':streamGenerateContent')) return answerGemini(response);
      response.writeHead(request.method === 'HEAD' ? 200 : 404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

type Response = import('node:http').ServerResponse;

/** The texts and tool results of a request, as the script sees them; undefined for a request that is not the conversation (a title request). */
function scriptedCall(script: ModelScript, url: string, body: Record<string, unknown>): ToolCall | undefined {
  const texts: string[] = [];
  const results: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const item = value as Record<string, unknown>;
    if (item.type === 'tool_result') results.push(typeof item.content === 'string' ? item.content : JSON.stringify(item.content));
    else if (item.type === 'function_call_output') results.push(typeof item.output === 'string' ? item.output : JSON.stringify(item.output));
    else if (typeof item.text === 'string') texts.push(item.text);
    else if (typeof item.content === 'string') texts.push(item.content);
    for (const key of ['content', 'messages', 'input']) if (key in item && typeof item[key] !== 'string') visit(item[key]);
  };
  if (url.includes('/messages')) visit(body.messages);
  else if (url.includes('/responses')) visit(body.input);
  // Claude Code also asks the model for short side answers (titles, summaries) without its tools.
  if (url.includes('/messages') && !Array.isArray(body.tools)) return undefined;
  return script({ text: texts.join('\n'), results });
}

function callAnthropicTool(response: Response, request: { model?: string }, call: ToolCall, id: number): void {
  const { tool, input } = typeof call === 'string' ? { tool: 'Bash', input: { command: call, description: 'scripted' } } : call;
  const message = { id: `msg_tool_${id}`, type: 'message', role: 'assistant', model: request.model ?? 'test', content: [] as unknown[], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
  sse(response, [
    { event: 'message_start', data: { type: 'message_start', message } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${id}`, name: tool, input: {} } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 1 } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

function callOpenAiTool(response: Response, request: { model?: string }, call: ToolCall, id: number): void {
  const { tool, input } = typeof call === 'string' ? { tool: 'exec_command', input: { cmd: call } } : call;
  const item = { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name: tool, arguments: JSON.stringify(input), status: 'completed' };
  const usage = { input_tokens: 1, input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 };
  const done = { id: `resp_tool_${id}`, object: 'response', created_at: 0, status: 'completed', model: request.model ?? 'test', output: [item], usage };
  const events = [
    { type: 'response.created', response: { ...done, status: 'in_progress', output: [] } },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: done },
  ];
  sse(response, events.map((data) => ({ event: data.type, data })));
}

function sse(response: Response, events: { event: string; data: unknown }[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const { event, data } of events) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  response.end();
}

function answerAnthropic(response: Response, request: { model?: string; stream?: boolean }): void {
  const message = { id: 'msg_test', type: 'message', role: 'assistant', model: request.model ?? 'test', content: [] as unknown[], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
  if (!request.stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ...message, content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn' }));
    return;
  }
  sse(response, [
    { event: 'message_start', data: { type: 'message_start', message } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

function answerOpenAi(response: Response, request: { model?: string }): void {
  const item = { type: 'message', id: 'msg_test', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [] }] };
  const usage = { input_tokens: 1, input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 };
  const done = { id: 'resp_test', object: 'response', created_at: 0, status: 'completed', model: request.model ?? 'test', output: [item], usage };
  const events = [
    { type: 'response.created', response: { ...done, status: 'in_progress', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
    { type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: 'ok' },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: done },
  ];
  sse(response, events.map((data) => ({ event: data.type, data })));
}

/** OpenAI's Chat Completions API, streamed or whole: OpenCode's openai-compatible provider and Qwen Code use it. */
function answerChatCompletions(response: Response, request: { model?: string; stream?: boolean }): void {
  const base = { id: 'chatcmpl-test', created: 0, model: request.model ?? 'test' };
  const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
  if (!request.stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage }));
    return;
  }
  const chunk = { ...base, object: 'chat.completion.chunk' };
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(`data: ${JSON.stringify({ ...chunk, choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: null }] })}\n\n`);
  response.write(`data: ${JSON.stringify({ ...chunk, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage })}\n\n`);
  response.end('data: [DONE]\n\n');
}

/** Gemini's streamed generateContent: server-sent events, each a GenerateContentResponse. */
function answerGemini(response: Response): void {
  const chunk = { candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } };
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
}
