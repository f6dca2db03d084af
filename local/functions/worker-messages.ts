/**
 * What the platform and a function's execution environment (a worker thread) say to each other: events in,
 * results out, and errors in a form that survives the message channel with their name, message and fields.
 */

/** An error as it crosses the message channel: what the platform reports of a failed invocation. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own enumerable fields (an SDK error's `$metadata`, a typed error's `code`), JSON-safe. */
  fields: Record<string, unknown>;
}

/** What a worker is started with (its `workerData`). */
export interface EnvironmentSettings {
  /** Handler module, relative to the repository root. */
  entry: string;
  name: string;
  memoryMb: number;
  region: string;
}

/** Platform → environment. */
export interface InvokeMessage {
  type: 'invoke';
  id: number;
  event: unknown;
  /** Epoch milliseconds at which the platform ends the invocation (getRemainingTimeInMillis counts to it). */
  deadline: number;
}

/** Environment → platform. */
export type EnvironmentMessage =
  | { type: 'ready' }
  | { type: 'init-failed'; error: SerializedError }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError };

function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(error)) fields[key] = jsonSafe(value);
    return {
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      fields,
    };
  }
  return {
    name: 'Error',
    message: typeof error === 'string' ? error : JSON.stringify(jsonSafe(error)),
    fields: {},
  };
}

/** The error again, on the platform's side, with the name, message, stack and fields it had in the function. */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  Object.assign(error, serialized.fields);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}
