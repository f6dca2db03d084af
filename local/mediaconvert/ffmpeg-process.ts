/**
 * Runs one ffmpeg process and follows its `-progress` output: how far it got in the media (against the
 * probed duration) and how many frames it decoded. Its error output is kept for classifying failures.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FfmpegProgress {
  /** 0–1 of the input's duration. */
  fraction: number;
  frames: number;
}

export interface FfmpegResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last 64 KiB of what ffmpeg logged at level error. */
  stderr: string;
  /** Wall time, milliseconds. */
  elapsedMs: number;
}

export function runFfmpeg(
  args: string[],
  options: {
    cwd: string;
    durationSeconds: number;
    signal?: AbortSignal;
    onProgress?: (progress: FfmpegProgress) => void;
    /** Called with the child's pid once it runs (the benchmark samples its CPU time). */
    onSpawn?: (pid: number) => void;
  },
): Promise<FfmpegResult> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn('ffmpeg', args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
      killSignal: 'SIGKILL',
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-64 * 1024);
    });
    let frames = 0;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const [key, value] = line.split('=', 2);
      if (key === 'frame') frames = Number(value) || frames;
      if (key === 'out_time_us' && value && value !== 'N/A' && options.durationSeconds > 0) {
        const seconds = Number(value) / 1e6;
        options.onProgress?.({
          fraction: Math.min(1, Math.max(0, seconds / options.durationSeconds)),
          frames,
        });
      }
    });
    let failure: Error | undefined;
    // An abort kills ffmpeg; the promise settles only once the process is gone, so no ffmpeg outlives a
    // canceled job.
    child.once('error', (error) => {
      failure = error;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) reject(error);
    });
    child.once('close', (exitCode, signal) => {
      if (failure) reject(failure);
      else resolveRun({ exitCode, signal, stderr, elapsedMs: performance.now() - started });
    });
  });
}
