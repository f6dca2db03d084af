/**
 * Real media for the MediaConvert emulator's tests, made by ffmpeg in the test setup, and the checks the
 * tests run on what comes out: ffprobe of segments, keyframe times, the brightness of a picture's halves.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import HLS from 'hls-parser';

const run = promisify(execFile);

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);
}

const x264Fast = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const aac = ['-c:a', 'aac', '-b:a', '96k'];

export interface Sources {
  /** 1280×720, 30 fps, 8 s, test pattern and a tone. */
  landscape: string;
  /** 720×1280, 3 s, with a tone. */
  portrait: string;
  /**
   * Coded 640×360 with a display matrix that turns it 90° clockwise, as phones record portrait video: the
   * coded frame is white on the left and black on the right, so upright it is white on top.
   */
  rotated: string;
  /** 640×360, 25 fps, 3 s, no audio track. */
  silent: string;
  /** AAC in an M4A, 3 s, no video. */
  audioOnly: string;
  /** The landscape file cut in half: its moov box (written last) is gone. */
  truncated: string;
  /** The silent file as a faststart MP4 (moov first), cut in half: the media data ends early. */
  truncatedFaststart: string;
  /** Text in a file named .mp4. */
  notVideo: string;
  /** A well-formed MP4 with neither video nor audio: only a subtitle track. */
  noMedia: string;
}

const tone = (seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
];

async function halve(from: string, to: string): Promise<void> {
  const bytes = await readFile(from);
  await writeFile(to, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

const MAKERS: { [K in keyof Sources]: (path: (name: string) => string) => Promise<string> } = {
  landscape: async (path) => {
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=8'],
      ...tone(8),
      ...x264Fast,
      ...aac,
      '-shortest',
      path('landscape.mp4'),
    ]);
    return path('landscape.mp4');
  },
  portrait: async (path) => {
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=720x1280:rate=30:duration=3'],
      ...tone(3),
      ...x264Fast,
      ...aac,
      '-shortest',
      path('portrait.mp4'),
    ]);
    return path('portrait.mp4');
  },
  rotated: async (path) => {
    await ffmpeg([
      ...[
        '-f',
        'lavfi',
        '-i',
        'color=c=white:s=640x360:r=30:d=3,drawbox=x=320:y=0:w=320:h=360:color=black:t=fill',
      ],
      ...x264Fast,
      path('rotated-unflagged.mp4'),
    ]);
    // ffmpeg 5's mov muxer turns the legacy "rotate" tag into a display matrix only when copying; 270 in
    // that tag is a 90° clockwise turn on display (ffprobe shows the matrix as rotation -90).
    await ffmpeg([
      '-i',
      path('rotated-unflagged.mp4'),
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=270',
      path('rotated.mp4'),
    ]);
    return path('rotated.mp4');
  },
  silent: async (path) => {
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=25:duration=3',
      ...x264Fast,
      path('silent.mp4'),
    ]);
    return path('silent.mp4');
  },
  audioOnly: async (path) => {
    await ffmpeg([...tone(3), ...aac, path('audio.m4a')]);
    return path('audio.m4a');
  },
  truncated: async (path) => {
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=2'],
      ...x264Fast,
      path('whole.mp4'),
    ]);
    await halve(path('whole.mp4'), path('truncated.mp4'));
    return path('truncated.mp4');
  },
  truncatedFaststart: async (path) => {
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=3'],
      ...x264Fast,
      ...['-movflags', '+faststart'],
      path('faststart.mp4'),
    ]);
    await halve(path('faststart.mp4'), path('truncated-faststart.mp4'));
    return path('truncated-faststart.mp4');
  },
  noMedia: async (path) => {
    await writeFile(path('captions.srt'), '1\n00:00:00,000 --> 00:00:02,000\nNo picture, no sound\n');
    await ffmpeg(['-i', path('captions.srt'), '-c:s', 'mov_text', path('no-media.mp4')]);
    return path('no-media.mp4');
  },
  notVideo: async (path) => {
    await writeFile(path('not-a-video.mp4'), 'This is a shopping list, not a video.\nmilk\neggs\n');
    return path('not-a-video.mp4');
  },
};

/** Makes the sources asked for (all by default) in `dir`, side by side. */
export async function makeSources<K extends keyof Sources>(
  dir: string,
  wanted: readonly K[] = Object.keys(MAKERS) as K[],
): Promise<Pick<Sources, K>> {
  const path = (name: string) => join(dir, name);
  const made = await Promise.all(wanted.map(async (name) => [name, await MAKERS[name](path)] as const));
  return Object.fromEntries(made) as Pick<Sources, K>;
}

export interface StreamFacts {
  video?: { width: number; height: number; codec: string };
  audio?: { codec: string; channels: number; sampleRate: number };
  formatName: string;
  durationSeconds: number;
}

/** Decodes the whole file (so a broken segment fails) and reports its streams. */
export async function probeFile(path: string): Promise<StreamFacts> {
  await run('ffmpeg', ['-v', 'error', '-xerror', '-i', path, '-f', 'null', '-']);
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    path,
  ]);
  const probe = JSON.parse(stdout) as {
    streams: {
      codec_type: string;
      codec_name: string;
      width?: number;
      height?: number;
      channels?: number;
      sample_rate?: string;
    }[];
    format: { format_name: string; duration?: string };
  };
  const video = probe.streams.find((s) => s.codec_type === 'video');
  const audio = probe.streams.find((s) => s.codec_type === 'audio');
  return {
    ...(video
      ? { video: { width: video.width ?? 0, height: video.height ?? 0, codec: video.codec_name } }
      : {}),
    ...(audio
      ? {
          audio: {
            codec: audio.codec_name,
            channels: audio.channels ?? 0,
            sampleRate: Number(audio.sample_rate),
          },
        }
      : {}),
    formatName: probe.format.format_name,
    durationSeconds: Number(probe.format.duration ?? 0),
  };
}

/** Presentation times of the video keyframes in a file, in seconds. */
export async function keyframeTimes(path: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time,flags',
    '-of',
    'csv=p=0',
    path,
  ]);
  return stdout
    .split('\n')
    .map((line) => line.split(','))
    .filter(([, flags]) => flags?.startsWith('K'))
    .map(([time]) => Number(time));
}

/** Mean brightness (0–255) of the top and bottom halves of a picture file's first frame. */
export async function halvesBrightness(path: string): Promise<{ top: number; bottom: number }> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-frames:v', '1', '-vf', 'scale=8:8,format=gray', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer' },
  );
  const pixels = [...(stdout as Buffer)];
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return { top: mean(pixels.slice(0, 32)), bottom: mean(pixels.slice(32, 64)) };
}

/** The independent parser, strict: what the emulator writes must be valid HLS to a parser that is not ours. */
function parseStrictly(text: string): HLS.types.Playlist {
  HLS.setOptions({ strictMode: true });
  return HLS.parse(text);
}

/** A multivariant playlist's variants: attributes and URI. */
export function parseMultivariant(text: string): { attributes: Record<string, string>; uri: string }[] {
  const playlist = parseStrictly(text);
  if (!playlist.isMasterPlaylist) throw new Error('Not a multivariant playlist');
  return (playlist as HLS.types.MasterPlaylist).variants.map((variant) => {
    const attributes: Record<string, string> = { BANDWIDTH: String(variant.bandwidth) };
    if (variant.averageBandwidth !== undefined) {
      attributes['AVERAGE-BANDWIDTH'] = String(variant.averageBandwidth);
    }
    if (variant.codecs !== undefined) attributes.CODECS = variant.codecs;
    if (variant.resolution) {
      attributes.RESOLUTION = `${variant.resolution.width}x${variant.resolution.height}`;
    }
    if (variant.frameRate !== undefined) attributes['FRAME-RATE'] = String(variant.frameRate);
    return { attributes, uri: variant.uri };
  });
}

/** A media playlist's segments, checked for the tags a VOD playlist must have. */
export function parseMediaPlaylist(text: string): {
  targetDuration: number;
  segments: { uri: string; duration: number }[];
} {
  const playlist = parseStrictly(text);
  if (playlist.isMasterPlaylist) throw new Error('Not a media playlist');
  const media = playlist as HLS.types.MediaPlaylist;
  if (!media.endlist) throw new Error('A VOD playlist must end with #EXT-X-ENDLIST');
  return {
    targetDuration: media.targetDuration,
    segments: media.segments.map((segment) => ({ uri: segment.uri, duration: segment.duration })),
  };
}
