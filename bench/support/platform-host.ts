/**
 * Runs the local platform (`npm start`'s `startPlatform`) in a process of its own for the load benchmark:
 * its handlers' log lines go to /dev/null instead of the benchmark's output, and it can be CPU-profiled
 * alone (SKYCAST_BENCH_CPU_PROF=1). Sends `ready` with where it answers; stops on `stop` or when the
 * benchmark goes away; reports an `error` if the platform fails while it runs (say, moto dies).
 */
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { failToParent, sendToParent } from './child.ts';

/** What the parent learns: plain data only, as it crosses IPC. */
export type PlatformReady = { type: 'ready' } & Pick<
  RunningPlatform,
  'url' | 'config' | 'resources' | 'motoEndpoint' | 'mediaConvertEndpoint'
>;

async function main(): Promise<void> {
  // The load benchmark measures the platform, not API Gateway's route limits, which would answer most with 429.
  const platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true, throttle: false });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= platform.stop().then(
      () => process.exit(0),
      (error) => failToParent(error),
    );
    return stopping;
  };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  void platform.failure.then((error) => failToParent(error));
  const ready: PlatformReady = {
    type: 'ready',
    url: platform.url,
    motoEndpoint: platform.motoEndpoint,
    mediaConvertEndpoint: platform.mediaConvertEndpoint,
    config: platform.config,
    resources: platform.resources,
  };
  sendToParent(JSON.parse(JSON.stringify(ready)));
}

main().catch(failToParent);
