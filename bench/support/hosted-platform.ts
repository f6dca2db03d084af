/**
 * The parent's side of benchmarks that run the local platform in a child process (platform-host.ts) and a
 * signed-in user against it: start it, learn its processes (the platform, moto) for CPU and
 * memory accounting, and stop it, children included.
 */
import type { ChildProcess } from 'node:child_process';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { emulatorClientConfig } from '../../local/provision.ts';
import type { ApiClient } from '../../scripts/uploader.ts';
import { createSignedInUser } from '../../test/support/accounts.ts';
import { exited, forkModule, nextMessage } from './child.ts';
import { childProcesses, processCpuSeconds } from './machine.ts';
import type { PlatformReady } from './platform-host.ts';
import type { UploadJob, UploadReport } from './upload-client.ts';

export type ProcessName = 'platform' | 'moto' | 'platformChildren';

export interface HostedPlatform {
  ready: PlatformReady;
  /** The API as a signed-in user calls it. */
  client: ApiClient;
  pids: Partial<Record<ProcessName, number>>;
  /**
   * CPU seconds each process has used so far (Linux only); `platformChildren` is the platform's children that
   * have exited (the local MediaConvert's ffmpeg and ffprobe runs), not moto.
   */
  cpuSeconds(): Partial<Record<ProcessName, number>>;
  /** Rejects with the platform's error if it fails while a benchmark runs; race it against the work. */
  down: Promise<never>;
  stop(): Promise<void>;
}

export async function hostPlatform(): Promise<HostedPlatform> {
  const child = forkModule(new URL('./platform-host.ts', import.meta.url).pathname, { stdout: 'ignore' });
  const stop = async () => {
    if (child.connected) child.send({ type: 'stop' });
    await exited(child, 30_000);
  };
  try {
    const ready = await nextMessage<PlatformReady>(child, 'ready');
    const down: Promise<never> = nextMessage(child, 'never', 24 * 3600_000).then(() => {
      throw new Error('The platform host sent an unexpected message');
    });
    down.catch(() => {}); // raced by the benchmarks; it also rejects when the platform stops at the end
    const childOf = (match: string) =>
      child.pid === undefined ? undefined : childProcesses(child.pid, match)[0];
    const pids: HostedPlatform['pids'] = {
      platform: child.pid,
      moto: childOf('moto_server'),
    };
    const cognito = new CognitoIdentityProviderClient(
      emulatorClientConfig({ endpoint: ready.motoEndpoint, region: ready.config.region }),
    );
    const user = await createSignedInUser(cognito, {
      userPoolId: ready.config.userPoolId,
      clientId: ready.config.userPoolClientId,
    });
    cognito.destroy();
    return {
      ready,
      client: { apiUrl: ready.config.apiUrl, accessToken: user.accessToken },
      pids,
      cpuSeconds: () => {
        const cpu: Partial<Record<ProcessName, number>> = {};
        for (const [name, pid] of Object.entries(pids) as [ProcessName, number | undefined][]) {
          const seconds = pid === undefined ? undefined : processCpuSeconds(pid);
          if (seconds !== undefined) cpu[name] = seconds;
        }
        const children =
          child.pid === undefined ? undefined : processCpuSeconds(child.pid, { reapedChildren: true });
        if (children !== undefined) cpu.platformChildren = children;
        return cpu;
      },
      down,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs one upload in a fresh upload-client process (its peak memory is then this upload's alone). `onStarted`
 * hears the video id as soon as createUpload answered.
 */
export async function uploadInChild(
  job: UploadJob,
  options: {
    onStarted?: (videoId: string) => void;
    /** Every part is uploaded; completeUpload is about to be called. */
    onPartsUploaded?: () => void;
    timeoutMs?: number;
  } = {},
): Promise<UploadReport & { pid: number | undefined }> {
  const child: ChildProcess = forkModule(new URL('./upload-client.ts', import.meta.url).pathname, {
    stdout: 'inherit',
  });
  try {
    child.on('message', (message: { type: string; videoId?: string }) => {
      if (message.type === 'started' && message.videoId) options.onStarted?.(message.videoId);
      if (message.type === 'parts-uploaded') options.onPartsUploaded?.();
    });
    const answer = nextMessage<UploadReport>(child, 'uploaded', options.timeoutMs ?? 10 * 60_000);
    child.send({ type: 'upload', job });
    return { ...(await answer), pid: child.pid };
  } finally {
    if (child.connected) child.disconnect();
    await exited(child);
  }
}
