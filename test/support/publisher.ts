import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

/** An ffmpeg RTMP publisher of a test pattern with a tone, as an encoder (OBS) would publish. */
export interface Publisher {
  child: ChildProcess;
  /** Exit code (null after a signal) and what ffmpeg logged. */
  exited: Promise<{ code: number | null; stderr: string }>;
  stop(): Promise<void>;
}

export function publishTestPattern(
  url: string,
  options: { seconds: number; size?: string; audio?: boolean } = { seconds: 20 },
): Publisher {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${options.size ?? '1280x720'}:rate=30`,
    ...(options.audio === false ? [] : ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000']),
    '-t',
    String(options.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    '60',
    '-pix_fmt',
    'yuv420p',
    ...(options.audio === false ? [] : ['-c:a', 'aac', '-b:a', '128k']),
    // A publisher whose server stops answering gives up instead of hanging the test.
    '-rw_timeout',
    '10000000',
    '-f',
    'flv',
    url,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolveExit) => {
    child.once('close', (code) => resolveExit({ code, stderr }));
    child.once('error', () => resolveExit({ code: null, stderr }));
  });
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, everyMs));
  }
}

/** The kinds of stream (`video`, `audio`) ffprobe finds at an HLS URL, one per line as ffprobe prints them. */
export async function probeStreamTypes(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type',
    '-of',
    'csv=p=0',
    url,
  ]);
  return stdout;
}
