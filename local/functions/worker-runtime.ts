/**
 * Inside a function's execution environment (a worker thread of the local platform): the stand-in for Lambda's
 * Node.js runtime. It imports the handler module once, with the function's own `process.env`, and then invokes
 * it for each event the platform sends, one at a time, as Lambda's runtime does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { invoke, loadHandler } from '../lambda.ts';
import {
  type EnvironmentMessage,
  type EnvironmentSettings,
  type InvokeMessage,
  serializeError,
} from './worker-messages.ts';

const port = parentPort;
if (!port) throw new Error('worker-runtime.ts runs only as a worker thread of the local platform');
const settings = workerData as EnvironmentSettings;
const send = (message: EnvironmentMessage) => port.postMessage(message);

try {
  const handler = await loadHandler(settings.entry);
  port.on('message', async (message: InvokeMessage) => {
    // The platform ends the worker at the deadline; the runtime's own timer only has to outlast it.
    const outcome = await invoke(
      {
        name: settings.name,
        handler,
        memoryMb: settings.memoryMb,
        timeoutMs: message.deadline - Date.now() + 1000,
      },
      message.event,
      settings.region,
      { deadline: message.deadline },
    );
    send(
      outcome.ok
        ? { type: 'result', id: message.id, ok: true, result: outcome.result }
        : { type: 'result', id: message.id, ok: false, error: serializeError(outcome.error) },
    );
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init-failed', error: serializeError(error) });
}
