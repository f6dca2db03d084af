import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensurePythonRequirements, venvBin } from '../scripts/python-env.ts';
import { terminate } from './child-process.ts';
import { freePort, waitFor } from './tcp-ports.ts';

export interface RunningEmulator {
  /** Base URL of the AWS-compatible endpoint, e.g. http://127.0.0.1:4566. */
  endpoint: string;
  /** The emulator's process, for benchmarks that account its CPU time. */
  pid: number | undefined;
  /** Settles with the exit code (null after a signal) when the emulator's process ends, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** moto's server with DynamoDB requests served one at a time, atomic as DynamoDB's are (see the file). */
const LAUNCHER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

/**
 * Starts a moto server on a loopback port (installing it into `.venv` first if needed) and resolves once it
 * answers. Its output is kept out of the way unless `verbose` is set.
 */
export async function startMoto(
  options: { port?: number; verbose?: boolean } = {},
): Promise<RunningEmulator> {
  ensurePythonRequirements('local');
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(venvBin('python'), [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', options.verbose ? 'inherit' : 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    // A process that could not be spawned at all emits no exit event, only this.
    child.once('error', (error) => {
      spawnError = error;
      resolveExit(null);
    });
  });

  let ready = false;
  try {
    await Promise.race([
      waitFor('the moto server', async () => (await fetch(`${endpoint}/moto-api/`)).ok),
      // waitFor swallows errors while it polls; an emulator that died should fail the start at once.
      exited.then((code) => {
        if (ready) return;
        throw new Error(
          spawnError
            ? `Could not start moto: ${spawnError.message}`
            : `moto exited with code ${code} before it answered: ${stderr.trim()}`,
        );
      }),
    ]);
    ready = true;
  } catch (error) {
    ready = true;
    child.kill('SIGKILL');
    throw error;
  }

  return {
    endpoint,
    pid: child.pid,
    exited,
    async stop() {
      await terminate(child, exited);
    },
  };
}
