import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { ROOT } from '../scripts/python-env.ts';
import { ExecutionEnvironments } from './functions/execution-environments.ts';

/** A Lambda handler as the Node.js runtime calls it: async, or (legacy) with a callback. */
export type LambdaHandler = (
  event: unknown,
  context: Context,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

/**
 * One function of the local platform and the settings Lambda would give it. The platform's functions name
 * their handler module (`entry`) and run in execution environments of their own (worker threads, see
 * `functions/execution-environments.ts`) whose `process.env` is `environment` alone; a `handler` given instead
 * runs in this process (the pollers' own tests use that, to look at what their probe function received).
 */
export interface LocalFunction {
  name: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry?: string;
  /** The function's environment variables, as Lambda would set them from its configuration. */
  environment?: Record<string, string>;
  /** A handler to run in this process instead of `entry`. */
  handler?: LambdaHandler;
  /** @default 30000, API Gateway's integration timeout */
  timeoutMs?: number;
  /** @default 1024 */
  memoryMb?: number;
  /** Execution environments at most, when it runs from `entry`. @default 4 */
  maxEnvironments?: number;
}

export type InvocationOutcome =
  | { ok: true; result: unknown }
  | { ok: false; error: unknown; timedOut: boolean };

/** The account id functions see in ARNs: moto's default account, so the emulator and the ARNs agree. */
export const LOCAL_ACCOUNT_ID = '123456789012';

/**
 * Imports a handler module (a path relative to the repository root) the way the Lambda runtime initialises a
 * function: module scope runs once, with whatever `process.env` holds at that moment.
 */
export async function loadHandler(entry: string): Promise<LambdaHandler> {
  const module = (await import(pathToFileURL(join(ROOT, entry)).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new Error(`${entry} does not export a function named "handler"`);
  }
  return module.handler as LambdaHandler;
}

function lambdaContext(
  fn: { name: string; memoryMb?: number },
  region: string,
  deadline: number,
  settle: Settle,
): Context {
  const awsRequestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb ?? 1024),
    awsRequestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `${day}/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (error, result) => settle(error, result),
    fail: (error) => settle(error ?? new Error('context.fail')),
    succeed: (result: unknown) => settle(undefined, result),
  };
}

type Settle = (error?: unknown, result?: unknown) => void;

const environments = new WeakMap<LocalFunction, ExecutionEnvironments>();

function environmentsOf(fn: LocalFunction, entry: string, region: string): ExecutionEnvironments {
  let found = environments.get(fn);
  if (!found) {
    found = new ExecutionEnvironments({
      name: fn.name,
      entry,
      environment: fn.environment ?? {},
      timeoutMs: fn.timeoutMs ?? 30_000,
      memoryMb: fn.memoryMb ?? 1024,
      region,
      ...(fn.maxEnvironments ? { maxEnvironments: fn.maxEnvironments } : {}),
    });
    environments.set(fn, found);
  }
  return found;
}

/** Ends the execution environments of these functions (invocations in progress fail); safe to call again. */
export async function stopFunctions(fns: Iterable<LocalFunction>): Promise<void> {
  await Promise.all([...fns].map((fn) => environments.get(fn)?.stop()));
}

/**
 * Invokes a function once, as Lambda would. A function with an `entry` runs in one of its own execution
 * environments, and one that outlives its timeout ends there. A `handler` runs in this process: the outcome
 * is its promise, or its callback, whichever comes first; past the timeout it is reported as timed out (it
 * cannot be frozen in-process, so its late result is dropped).
 */
export function invoke(
  fn: LocalFunction,
  event: unknown,
  region: string,
  /** When the invocation must end (epoch ms), if it started elsewhere. @default now + the timeout */
  options: { deadline?: number } = {},
): Promise<InvocationOutcome> {
  const { handler } = fn;
  if (!handler) {
    if (!fn.entry) throw new Error(`${fn.name} has neither an entry nor a handler`);
    return environmentsOf(fn, fn.entry, region).invoke(event);
  }
  const timeoutMs = options.deadline ? options.deadline - Date.now() : (fn.timeoutMs ?? 30_000);
  return new Promise<InvocationOutcome>((resolveOutcome) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      resolveOutcome({ ok: false, error: new Error(`Task timed out after ${timeoutMs} ms`), timedOut: true });
    }, timeoutMs);
    const settle: Settle = (error, result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolveOutcome(
        error === undefined || error === null ? { ok: true, result } : { ok: false, error, timedOut: false },
      );
    };
    const context = lambdaContext(fn, region, Date.now() + timeoutMs, settle);
    try {
      const returned = handler(event, context, settle);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(
          (result) => settle(undefined, result),
          (error: unknown) => settle(error ?? new Error('The handler rejected without a reason')),
        );
      } else if (handler.length < 3) {
        // A synchronous handler without a callback: its return value is the result.
        settle(undefined, returned);
      }
    } catch (error) {
      settle(error ?? new Error('The handler threw without a reason'));
    }
  });
}
