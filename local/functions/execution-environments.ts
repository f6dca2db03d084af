/**
 * A local function's execution environments, as Lambda keeps them: each a worker thread with its own module
 * state and its own `process.env` (the function's environment and nothing else), started at the first
 * invocation that finds none free (a cold start) and reused after; one invocation at a time in each. An
 * invocation that outlives the function's timeout ends its environment, as Lambda does, and the next one starts
 * fresh; so does an init error or a crash.
 */
import { Worker } from 'node:worker_threads';
import type { InvocationOutcome } from '../lambda.ts';
import {
  deserializeError,
  type EnvironmentMessage,
  type EnvironmentSettings,
  type InvokeMessage,
} from './worker-messages.ts';

/** What a function's environments are made from. */
export interface FunctionImage {
  name: string;
  /** Handler module, relative to the repository root. */
  entry: string;
  /** The function's whole `process.env`. */
  environment: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  region: string;
  /** Environments at most; further invocations wait for one to be free. @default 4 */
  maxEnvironments?: number;
}

/** Lambda gives a function's init phase 10 seconds; a first local run also compiles TypeScript, so more here. */
const INIT_TIMEOUT_MS = 60_000;

const RUNTIME_URL = new URL('./worker-runtime.ts', import.meta.url).href;
const TSX_API_URL = import.meta.resolve('tsx/esm/api');
/**
 * The worker's bootstrap: tsx's loader is registered inside the worker before the runtime (TypeScript) is
 * imported; `execArgv: ['--import', 'tsx']` does not reach a worker's own entry module in Node 20.
 */
const BOOTSTRAP = `import(${JSON.stringify(TSX_API_URL)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(RUNTIME_URL)}); });`;

interface Environment {
  worker: Worker;
  ready: Promise<void>;
  /** Settles the invocation in progress, if any, when the environment dies. */
  onDeath?: (error: Error) => void;
}

/** Variables of the host that a function's environment keeps: where programs and temporary files are. */
const HOST_VARIABLES = ['PATH', 'TMPDIR', 'LANG', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];

export class ExecutionEnvironments {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private readonly waiting: ((environment: Environment) => void)[] = [];
  private nextId = 1;
  private stopped = false;

  constructor(private readonly image: FunctionImage) {}

  /** How many environments exist now (idle or busy). */
  get size(): number {
    return this.all.size;
  }

  /** Invokes the function once in a free environment, starting one if none is free. */
  async invoke(event: unknown): Promise<InvocationOutcome> {
    if (this.stopped)
      return { ok: false, error: new Error(`${this.image.name} is stopped`), timedOut: false };
    let environment: Environment;
    try {
      environment = await this.acquire();
      await environment.ready;
    } catch (error) {
      return { ok: false, error, timedOut: false };
    }
    const { timeoutMs } = this.image;
    const id = this.nextId++;
    const outcome = await new Promise<InvocationOutcome>((settle) => {
      const timer = setTimeout(() => {
        environment.onDeath = undefined;
        this.discard(environment);
        settle({ ok: false, error: new Error(`Task timed out after ${timeoutMs} ms`), timedOut: true });
      }, timeoutMs);
      const onMessage = (message: EnvironmentMessage) => {
        if (message.type !== 'result' || message.id !== id) return;
        clearTimeout(timer);
        environment.worker.off('message', onMessage);
        environment.onDeath = undefined;
        settle(
          message.ok
            ? { ok: true, result: message.result }
            : { ok: false, error: deserializeError(message.error), timedOut: false },
        );
      };
      environment.onDeath = (error) => {
        clearTimeout(timer);
        environment.worker.off('message', onMessage);
        settle({ ok: false, error, timedOut: false });
      };
      environment.worker.on('message', onMessage);
      const message: InvokeMessage = { type: 'invoke', id, event, deadline: Date.now() + timeoutMs };
      environment.worker.postMessage(message);
    });
    if (this.all.has(environment)) this.release(environment);
    return outcome;
  }

  /** Ends every environment; invocations in progress fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    const workers = [...this.all].map((environment) => environment.worker);
    for (const environment of this.all) environment.onDeath?.(new Error(`${this.image.name} was stopped`));
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private acquire(): Promise<Environment> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.all.size < (this.image.maxEnvironments ?? 4)) return Promise.resolve(this.start());
    return new Promise((resolveEnvironment) => this.waiting.push(resolveEnvironment));
  }

  private release(environment: Environment): void {
    const next = this.waiting.shift();
    if (next) next(environment);
    else this.idle.push(environment);
  }

  /** Ends an environment (timed out, failed init, crashed) and lets a waiting invocation start a new one. */
  private discard(environment: Environment): void {
    if (!this.all.delete(environment)) return;
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
    void environment.worker.terminate();
    const next = this.waiting.shift();
    if (next && !this.stopped) next(this.start());
  }

  private start(): Environment {
    const { image } = this;
    const host = Object.fromEntries(
      HOST_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
    );
    const settings: EnvironmentSettings = {
      entry: image.entry,
      name: image.name,
      memoryMb: image.memoryMb,
      region: image.region,
    };
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: settings,
      // What Lambda's runtime sets, then the function's own configuration.
      env: {
        ...host,
        AWS_LAMBDA_FUNCTION_NAME: image.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(image.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${image.name}`,
        AWS_REGION: image.region,
        AWS_DEFAULT_REGION: image.region,
        ...image.environment,
      },
      resourceLimits: { maxOldGenerationSizeMb: image.memoryMb },
    });
    // A worker that is idle must not keep the platform's process alive.
    worker.unref();
    const environment: Environment = { worker, ready: Promise.resolve() };
    environment.ready = new Promise<void>((resolveReady, rejectReady) => {
      const initTimer = setTimeout(() => {
        rejectReady(new Error(`${image.name}: init did not finish within ${INIT_TIMEOUT_MS} ms`));
        this.discard(environment);
      }, INIT_TIMEOUT_MS);
      const onInit = (message: EnvironmentMessage) => {
        if (message.type === 'ready') {
          clearTimeout(initTimer);
          worker.off('message', onInit);
          resolveReady();
        } else if (message.type === 'init-failed') {
          clearTimeout(initTimer);
          worker.off('message', onInit);
          rejectReady(deserializeError(message.error));
          this.discard(environment);
        }
      };
      worker.on('message', onInit);
      const die = (error: Error) => {
        clearTimeout(initTimer);
        rejectReady(error);
        environment.onDeath?.(error);
        environment.onDeath = undefined;
        this.discard(environment);
      };
      worker.once('error', (error) => die(error));
      worker.once('exit', (code) => die(new Error(`${image.name}: the runtime exited (code ${code})`)));
    });
    environment.ready.catch(() => {}); // awaited by the invocation that started it
    this.all.add(environment);
    return environment;
  }
}
