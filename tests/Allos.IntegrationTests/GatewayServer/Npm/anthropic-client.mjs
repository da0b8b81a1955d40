// Drives the gateway's /v1/messages with the official `@anthropic-ai/sdk` npm package.
// Usage: node anthropic-client.mjs <node_modules> <gateway url> <key> <case>...  Case: "<alias>:<stream|whole>" or "error:<alias>:<key>".
// Prints one JSON line per case: what the SDK parsed (its final message), or the error class it raised and its status.
import { createRequire } from 'node:module';

const [modules, url, key, ...cases] = process.argv.slice(2);
const require = createRequire(modules + '/');
const { default: Anthropic } = require('@anthropic-ai/sdk');

const tools = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_time', description: 'Time in a zone', input_schema: { type: 'object', properties: { zone: { type: 'string' } } } },
];

async function run(name) {
  const parts = name.split(':');
  if (parts[0] === 'error') {
    const client = new Anthropic({ baseURL: url, apiKey: parts[2], maxRetries: 0 });
    try {
      await client.messages.create({ model: parts[1], max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
      return { case: name, ok: true };
    } catch (error) {
      return { case: name, error: error.constructor.name, status: error.status };
    }
  }

  const [alias, mode] = parts;
  const client = new Anthropic({ baseURL: url, apiKey: key, maxRetries: 0 });
  const request = { model: alias, max_tokens: 2048, messages: [{ role: 'user', content: 'Weather and time in Paris?' }], tools };
  if (alias === 'an') request.thinking = { type: 'enabled', budget_tokens: 1024 };
  let message, startInput = null, jsonDeltas = 0;
  if (mode === 'stream') {
    const stream = client.messages.stream(request);
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') startInput = event.message.usage.input_tokens;
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') jsonDeltas++;
    });
    message = await stream.finalMessage();
  } else {
    message = await client.messages.create(request);
  }

  return {
    case: name, stop: message.stop_reason, startInput, jsonDeltas,
    text: message.content.filter((b) => b.type === 'text').map((b) => b.text).join(''),
    thinking: message.content.filter((b) => b.type === 'thinking').map((b) => ({ thinking: b.thinking, signature: b.signature })),
    calls: message.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, input: b.input })),
    usage: { input: message.usage.input_tokens, output: message.usage.output_tokens, cacheRead: message.usage.cache_read_input_tokens ?? null },
  };
}

for (const name of cases) {
  try {
    console.log(JSON.stringify(await run(name)));
  } catch (error) {
    console.log(JSON.stringify({ case: name, unexpected: String(error) }));
  }
}
