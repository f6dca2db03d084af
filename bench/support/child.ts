/**
 * Benchmarks that need a process of their own (so its logs, event loop or CPU profile stay apart) fork a
 * TypeScript module through tsx and talk to it over IPC with `{ type, … }` messages.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { ROOT } from '../../scripts/python-env.ts';

export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

export interface ForkOptions {
  /** `ignore` sends the child's stdout to /dev/null (its JSON logs still get written, as in Lambda). */
  stdout: 'ignore' | 'inherit';
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
}

export function forkModule(modulePath: string, options: ForkOptions): ChildProcess {
  return fork(modulePath, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    stdio: ['ignore', options.stdout, 'inherit', 'ipc'],
    env: options.env ?? process.env,
  });
}

/**
 * Resolves with the child's next message of this type; rejects on an `error` message, if the child exits, or
 * after `timeoutMs`.
 */
export function nextMessage<T extends { type: string }>(
  child: ChildProcess,
  type: T['type'],
  timeoutMs = 5 * 60_000,
): Promise<T> {
  return new Promise((resolveMessage, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`No "${type}" from the benchmark child within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onMessage = (message: ChildMessage) => {
      if (message.type === type) {
        cleanup();
        resolveMessage(message as T);
      } else if (message.type === 'error') {
        cleanup();
        reject(new Error(String(message.message)));
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(
        new Error(`The benchmark child exited (code ${code}, signal ${signal}) before sending "${type}"`),
      );
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Waits for the child to exit, killing it if it takes longer than `timeoutMs`. */
export async function exited(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolveExit) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
  });
}

/** In the child: send a message to the parent. */
export function sendToParent(message: ChildMessage): void {
  if (!process.send) throw new Error('This module runs as a benchmark child; start it through bench/run.ts');
  process.send(message);
}

/** In the child: report a failure to the parent and exit non-zero. */
export function failToParent(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (!process.send) {
    console.error(message);
    process.exit(1);
  }
  // Exit only once the message is on its way, or the parent would see a bare exit.
  process.send({ type: 'error', message }, () => process.exit(1));
}
