import { type ChildProcess, spawn } from 'node:child_process';
import { ensurePythonRequirements, venvBin } from '../scripts/python-env.ts';
import { freePort, waitFor } from './ports.ts';

export interface RunningEmulator {
  /** Base URL of the AWS-compatible endpoint, e.g. http://127.0.0.1:4566. */
  endpoint: string;
  stop(): Promise<void>;
}

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
  const child: ChildProcess = spawn(venvBin('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', options.verbose ? 'inherit' : 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  try {
    await waitFor('the moto server', async () => {
      if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode}: ${stderr}`);
      return (await fetch(`${endpoint}/moto-api/`)).ok;
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
