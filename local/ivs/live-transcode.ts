/**
 * One live stream's transcode: the publisher's FLV piped into one ffmpeg process that writes every rendition
 * of the ladder as HLS with 1-second segments (closed one-second GOPs, so every segment starts with a
 * keyframe and renditions switch cleanly) and a thumbnail at the recording's interval. The process is
 * followed by polling its playlists: each new segment is reported once, in order, per rendition.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ivsHlsNames, ivsThumbnailIndex } from '#contract/media-layout.ts';
import { terminate } from '../child-process.ts';
import { readSegments, type Segment, type VariantInfo } from './hls-playlist.ts';

/** The ladder of the local channels: what an IVS STANDARD channel's low renditions look like. */
export const LIVE_LADDER: readonly (VariantInfo & { videoKbps: number; level: string })[] = [
  {
    name: '720p30',
    width: 1280,
    height: 720,
    videoKbps: 2500,
    level: '3.1',
    bandwidth: 2_900_000,
    codecs: 'avc1.4d401f,mp4a.40.2',
  },
  {
    name: '360p30',
    width: 640,
    height: 360,
    videoKbps: 800,
    level: '3.0',
    bandwidth: 1_000_000,
    codecs: 'avc1.4d401e,mp4a.40.2',
  },
];

export const SEGMENT_SECONDS = 1;
const POLL_MS = 150;

export interface LiveTranscodeOptions {
  dir: string;
  /** Whether the publisher sends audio (from its metadata); without it the renditions are video only. */
  audio: boolean;
  /** Seconds between thumbnails; 0 for none. */
  thumbnailIntervalSeconds: number;
  x264Preset?: string;
  /**
   * Wall-clock time (ms since the epoch) of the publisher's first frame, once it came: segment N's first frame
   * is that plus the durations before it. @default when the transcode started
   */
  firstFrameAt?: () => number | undefined;
  /**
   * A new segment, before anyone sees it: it may rewrite the file (in-band metadata goes in here). Its size is
   * read after.
   */
  prepareSegment?(rendition: string, segment: Segment, file: string): Promise<void>;
  /** A new segment, with its size and the wall-clock time of its first frame. */
  onSegment(rendition: string, segment: Segment, file: string): void;
  onThumbnail(index: number, file: string): void;
  /** ffmpeg exited (after `end`, or on its own); `error` if it failed. */
  onExit(error?: Error): void;
}

/** The ffmpeg arguments: FLV on stdin, every rung and the thumbnails in one process (one decode). */
function liveTranscodeArgs(options: {
  audio: boolean;
  thumbnailIntervalSeconds: number;
  x264Preset: string;
}): string[] {
  const rungs = LIVE_LADDER.length;
  const thumbs = options.thumbnailIntervalSeconds > 0;
  const outputs = LIVE_LADDER.map((_, i) => `[s${i}]`).join('') + (thumbs ? '[st]' : '');
  const filters = [
    `[0:v]fps=30,split=${rungs + (thumbs ? 1 : 0)}${outputs}`,
    ...LIVE_LADDER.map(
      (rung, i) =>
        `[s${i}]scale=${rung.width}:${rung.height}:force_original_aspect_ratio=decrease,` +
        `pad=${rung.width}:${rung.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v${i}]`,
    ),
    ...(thumbs ? [`[st]fps=1/${options.thumbnailIntervalSeconds},scale=-2:360[vt]`] : []),
  ];
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    // A publisher's first second says what it sends; probing longer only delays the first segment.
    '-analyzeduration',
    '1000000',
    '-f',
    'flv',
    '-i',
    'pipe:0',
    '-filter_complex',
    filters.join(';'),
  ];
  LIVE_LADDER.forEach((rung, i) => {
    args.push('-map', `[v${i}]`);
    if (options.audio) args.push('-map', '0:a:0');
    args.push(
      `-b:v:${i}`,
      `${rung.videoKbps}k`,
      `-maxrate:v:${i}`,
      `${rung.videoKbps}k`,
      // One second of buffer, starting nearly empty: no second of video, the first included, holds much more
      // than a second at the rung's rate, so the BANDWIDTH label stays close to what segments measure.
      `-bufsize:v:${i}`,
      `${rung.videoKbps}k`,
      `-rc_init_occupancy:v:${i}`,
      String(rung.videoKbps * 100),
      `-level:v:${i}`,
      rung.level,
    );
  });
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    options.x264Preset,
    '-tune',
    'zerolatency',
    '-profile:v',
    'main',
    // A keyframe every second, never elsewhere: closed GOPs aligned across renditions.
    '-g',
    '30',
    '-keyint_min',
    '30',
    '-sc_threshold',
    '0',
    '-force_key_frames',
    `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
  );
  if (options.audio) args.push('-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000');
  const streamMap = LIVE_LADDER.map(
    (rung, i) => `v:${i}${options.audio ? `,a:${i}` : ''},name:${rung.name}`,
  ).join(' ');
  args.push(
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_SECONDS),
    '-hls_list_size',
    '0',
    '-hls_playlist_type',
    'event',
    '-hls_flags',
    'independent_segments+temp_file',
    '-hls_segment_filename',
    ivsHlsNames.segmentPattern,
    '-var_stream_map',
    streamMap,
    ivsHlsNames.renditionPlaylistPattern,
  );
  if (thumbs)
    args.push('-map', '[vt]', '-f', 'image2', '-start_number', '0', `thumbs/${ivsHlsNames.thumbnailPattern}`);
  return args;
}

export class LiveTranscode {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly seen = new Map<string, number>();
  /** Seconds of each rendition reported so far: where its next segment starts. */
  private readonly elapsed = new Map<string, number>();
  private readonly startedAt = Date.now();
  private thumbnailsSeen = 0;
  private polling: NodeJS.Timeout | undefined;
  private running = true;
  private stderr = '';

  private constructor(private readonly options: LiveTranscodeOptions) {
    this.child = spawn(
      'ffmpeg',
      liveTranscodeArgs({
        audio: options.audio,
        thumbnailIntervalSeconds: options.thumbnailIntervalSeconds,
        x264Preset: options.x264Preset ?? 'ultrafast',
      }),
      { cwd: options.dir, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8192);
    });
    // A publisher cut off mid-write leaves ffmpeg's stdin closed under us: not an error of ours.
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise((resolveExit) => {
      this.child.once('close', (code, signal) => {
        this.running = false;
        void this.poll().finally(() => {
          if (this.polling) clearInterval(this.polling);
          resolveExit();
          this.options.onExit(
            code === 0 || signal === 'SIGTERM'
              ? undefined
              : new Error(`ffmpeg exited with ${code ?? signal}: ${this.stderr.trim()}`),
          );
        });
      });
      this.child.once('error', (error) => {
        this.running = false;
        resolveExit();
        this.options.onExit(error);
      });
    });
    this.polling = setInterval(() => void this.poll(), POLL_MS);
  }

  static async start(options: LiveTranscodeOptions): Promise<LiveTranscode> {
    await Promise.all([
      ...LIVE_LADDER.map((rung) => mkdir(join(options.dir, rung.name), { recursive: true })),
      mkdir(join(options.dir, 'thumbs'), { recursive: true }),
    ]);
    return new LiveTranscode(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  write(bytes: Buffer): void {
    if (this.running && this.child.stdin?.writable) this.child.stdin.write(bytes);
  }

  /** The publisher is gone: ffmpeg finishes the last segments and exits; killed if it takes over 10 s. */
  async end(): Promise<void> {
    this.child.stdin?.end();
    const timer = setTimeout(() => void terminate(this.child, this.exited), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills ffmpeg now (the platform stops). */
  async kill(): Promise<void> {
    await terminate(this.child, this.exited, 2000);
  }

  private pollingNow: Promise<void> | undefined;
  private poll(): Promise<void> {
    // One poll at a time, so segments are reported once and in order.
    this.pollingNow ??= this.pollOnce().finally(() => {
      this.pollingNow = undefined;
    });
    return this.pollingNow;
  }

  private async pollOnce(): Promise<void> {
    for (const rung of LIVE_LADDER) {
      let text: string;
      try {
        text = await readFile(join(this.options.dir, ivsHlsNames.renditionPlaylist(rung.name)), 'utf8');
      } catch {
        continue;
      }
      const known = this.seen.get(rung.name) ?? 0;
      const segments = readSegments(text);
      for (const segment of segments.slice(known)) {
        const file = join(this.options.dir, ivsHlsNames.segment(rung.name, segment.index));
        const offset = this.elapsed.get(rung.name) ?? 0;
        this.elapsed.set(rung.name, offset + segment.durationSeconds);
        const origin = this.options.firstFrameAt?.() ?? this.startedAt;
        const timed = { ...segment, programDateTime: new Date(origin + Math.round(offset * 1000)) };
        await this.options.prepareSegment?.(rung.name, timed, file);
        // ffmpeg renames a segment into place when it is whole (temp_file), before listing it.
        const bytes = await stat(file).then(
          (stats) => stats.size,
          () => undefined,
        );
        this.options.onSegment(rung.name, { ...timed, ...(bytes === undefined ? {} : { bytes }) }, file);
      }
      this.seen.set(rung.name, Math.max(known, segments.length));
    }
    if (this.options.thumbnailIntervalSeconds > 0) {
      let names: string[] = [];
      try {
        names = await readdir(join(this.options.dir, 'thumbs'));
      } catch {
        return;
      }
      const indexes = names.map(ivsThumbnailIndex).filter((index): index is number => index !== undefined);
      const highest = indexes.length ? Math.max(...indexes) : -1;
      // While ffmpeg runs, the newest image may still be being written; it counts once the next one exists.
      const complete = this.running ? highest : highest + 1;
      while (this.thumbnailsSeen < complete) {
        const index = this.thumbnailsSeen;
        this.thumbnailsSeen += 1;
        this.options.onThumbnail(index, join(this.options.dir, 'thumbs', ivsHlsNames.thumbnail(index)));
      }
    }
  }
}
