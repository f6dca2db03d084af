/**
 * Runs the local platform (`npm start`'s `startPlatform`) in a process of its own for the load benchmark:
 * its handlers' log lines go to /dev/null instead of the benchmark's output, and it can be CPU-profiled
 * alone (SKYCAST_BENCH_CPU_PROF=1). Sends `ready` with where it answers; stops on `stop` or when the
 * benchmark goes away.
 */
import { failToParent, sendToParent } from './child.ts';

/** What local/platform.ts promises (it is being written; this host is typed against its interface). */
interface RunningPlatform {
  url: string;
  config: { apiUrl: string; userPoolId: string; userPoolClientId: string; region: string };
  resources: unknown;
  motoEndpoint: string;
  stop(): Promise<void>;
}
type StartPlatform = (options: {
  port?: number;
  rtmpPort?: number;
  quiet?: boolean;
}) => Promise<RunningPlatform>;

async function main(): Promise<void> {
  const platformModule = '../../local/platform.ts';
  const { startPlatform } = (await import(platformModule)) as { startPlatform: StartPlatform };
  const platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= platform.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
    return stopping;
  };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  sendToParent({
    type: 'ready',
    url: platform.url,
    motoEndpoint: platform.motoEndpoint,
    // Only what survives IPC: plain data.
    config: JSON.parse(JSON.stringify(platform.config)),
    resources: JSON.parse(JSON.stringify(platform.resources ?? null)),
  });
}

main().catch(failToParent);
