import type { ChildProcess } from 'node:child_process';

/**
 * Stops an emulator's process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves once it
 * has exited; does nothing for a process that already exited or never started.
 */
export async function terminate(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs = 3000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
