// Drives the gateway's /v1/chat/completions with the official `openai` npm package.
// Usage: node openai-client.mjs <node_modules> <gateway url> <key> <case>...  Case: "<alias>:<stream|whole>" or "error:<alias>:<key>".
// Prints one JSON line per case: what the SDK parsed, or the error class it raised and its status.
import { createRequire } from 'node:module';

const [modules, url, key, ...cases] = process.argv.slice(2);
const require = createRequire(modules + '/');
const { default: OpenAI } = require('openai');

const tools = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', description: 'Time in a zone', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } },
];

async function run(name) {
  const parts = name.split(':');
  if (parts[0] === 'error') {
    const client = new OpenAI({ baseURL: url + '/v1', apiKey: parts[2], maxRetries: 0 });
    try {
      await client.chat.completions.create({ model: parts[1], messages: [{ role: 'user', content: 'Hi' }] });
      return { case: name, ok: true };
    } catch (error) {
      return { case: name, error: error.constructor.name, status: error.status };
    }
  }

  const [alias, mode] = parts;
  const client = new OpenAI({ baseURL: url + '/v1', apiKey: key, maxRetries: 0 });
  const request = { model: alias, messages: [{ role: 'user', content: 'Weather and time in Paris?' }], tools };
  let text = '', reasoning = '', finish = null, usage = null, chunks = 0;
  const calls = [];
  if (mode === 'stream') {
    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) {
      chunks++;
      usage = chunk.usage ?? usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      reasoning += choice.delta.reasoning_content ?? '';
      finish = choice.finish_reason ?? finish;
      for (const call of choice.delta.tool_calls ?? []) {
        const entry = (calls[call.index] ??= { id: null, name: null, arguments: '' });
        entry.id ??= call.id ?? null;
        entry.name ??= call.function?.name ?? null;
        entry.arguments += call.function?.arguments ?? '';
      }
    }
  } else {
    const completion = await client.chat.completions.create(request);
    const message = completion.choices[0].message;
    text = message.content ?? '';
    reasoning = message.reasoning_content ?? '';
    finish = completion.choices[0].finish_reason;
    usage = completion.usage;
    for (const call of message.tool_calls ?? []) calls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
  }

  return {
    case: name, text, reasoning, finish, calls, chunks,
    usage: usage && {
      input: usage.prompt_tokens, output: usage.completion_tokens,
      cached: usage.prompt_tokens_details?.cached_tokens ?? null, reasoning: usage.completion_tokens_details?.reasoning_tokens ?? null,
    },
  };
}

for (const name of cases) {
  try {
    console.log(JSON.stringify(await run(name)));
  } catch (error) {
    console.log(JSON.stringify({ case: name, unexpected: String(error) }));
  }
}
