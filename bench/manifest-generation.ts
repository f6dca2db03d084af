/**
 * manifest-generation: the manifest Lambda's handler (lambdas/delivery/manifest-handler.ts) on a two-hour video
 * with five renditions (6 s segments, 1,200 per rendition, MediaConvert's layout), its source playlists in moto's
 * S3 and read through the same S3PlaylistSource the function uses, invoked in-process with function URL events.
 *
 * Measured, one request at a time (a Lambda execution environment serves one request at a time):
 * - cold: the first clip with an empty playlist cache (six GetObjects and parses);
 * - warm clips: a clip is its multivariant playlist plus its five rendition playlists (what CloudFront asks the
 *   origin for, once per clip, whatever the audience); random ranges of 1 s to 10 min anywhere in the video:
 *   clips per second, and p50/p99 latency per playlist;
 * - warm filtered multivariants (`?device=phone`): requests per second;
 * - parsing one 1,200-segment rendition playlist: why parsed playlists are cached across invocations.
 *
 * Goals: p99 per playlist at most 20 ms warm (a CloudFront origin timeout is 30 s; a player waits on it once per
 * clip); at least 100 clips per second per execution environment.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parsePlaylist, renderPlaylist } from '../lambdas/contract/hls/index.ts';
import { S3PlaylistSource } from '../lambdas/delivery/s3-playlist-source.ts';
import { emulatorClientConfig } from '../local/emulator-clients.ts';
import { startMoto } from '../local/moto.ts';
import type { BenchRow } from './support/report.ts';
import { distribution, round } from './support/stats.ts';

const REGION = 'us-east-1';
const BUCKETS = { media: 'bench-manifest-media', recordings: 'bench-manifest-recordings' };
const VIDEO = 'videos/bench-two-hours';
const SEGMENT_SECONDS = 6;
const DURATION_SECONDS = 2 * 60 * 60;
const LADDER = [
  { name: '1080p', width: 1920, height: 1080, bandwidth: 6_500_000 },
  { name: '720p', width: 1280, height: 720, bandwidth: 3_600_000 },
  { name: '540p', width: 960, height: 540, bandwidth: 2_200_000 },
  { name: '360p', width: 640, height: 360, bandwidth: 900_000 },
  { name: '240p', width: 426, height: 240, bandwidth: 450_000 },
];
const RUN_SECONDS = Number(process.env.SKYCAST_MANIFEST_BENCH_SECONDS ?? 8);
const GOAL_P99_MS = 20;
const GOAL_CLIPS_PER_SECOND = 100;

/** The multivariant playlist MediaConvert writes for the ladder. */
function multivariant(): string {
  return renderPlaylist({
    kind: 'multivariant',
    version: 3,
    independentSegments: true,
    media: [],
    variants: LADDER.map((r) => ({
      uri: `index_${r.name}.m3u8`,
      bandwidth: r.bandwidth,
      averageBandwidth: Math.round(r.bandwidth * 0.8),
      codecs: 'avc1.640028,mp4a.40.2',
      resolution: { width: r.width, height: r.height },
      frameRate: 30,
      otherAttributes: [],
    })),
  });
}

/** One rendition's VOD playlist, as MediaConvert writes it (media sequence from 1, three decimals). */
function rendition(name: string): string {
  const count = DURATION_SECONDS / SEGMENT_SECONDS;
  return renderPlaylist(
    {
      kind: 'media',
      version: 3,
      targetDuration: SEGMENT_SECONDS,
      mediaSequence: 1,
      discontinuitySequence: 0,
      playlistType: 'VOD',
      independentSegments: false,
      endList: true,
      segments: Array.from({ length: count }, (_, i) => ({
        uri: `index_${name}_${String(i + 1).padStart(5, '0')}.ts`,
        duration: SEGMENT_SECONDS,
        discontinuity: false,
      })),
    },
    { durationDecimals: 3 },
  );
}

const event = (rawPath: string, rawQueryString = '') =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {},
    requestContext: { http: { method: 'GET', path: rawPath } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

/** A pseudo-random, repeatable sequence (mulberry32), so every run asks for the same clips. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function manifestGeneration(): Promise<BenchRow[]> {
  const moto = await startMoto();
  const s3 = new S3Client({
    ...emulatorClientConfig({ endpoint: moto.endpoint, region: REGION }),
    forcePathStyle: true,
  });
  try {
    for (const bucket of Object.values(BUCKETS)) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const renditionText = rendition(LADDER[0]?.name as string);
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKETS.media, Key: `${VIDEO}/hls/index.m3u8`, Body: multivariant() }),
    );
    for (const r of LADDER) {
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKETS.media,
          Key: `${VIDEO}/hls/index_${r.name}.m3u8`,
          Body: rendition(r.name),
        }),
      );
    }
    process.env.MEDIA_BUCKET_NAME = BUCKETS.media;
    process.env.RECORDINGS_BUCKET_NAME = BUCKETS.recordings;
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    const { createHandler } = await import('../lambdas/delivery/manifest-handler.ts');
    const playlists = new S3PlaylistSource(s3, BUCKETS);
    const handler = createHandler({ playlists });

    const next = random(42);
    const clipPaths = () => {
      const length = 1 + Math.floor(next() * 599_000) / 1000;
      const start = Math.floor(next() * (DURATION_SECONDS - length) * 1000);
      const folder = `/${VIDEO}/clips/${start}-${start + Math.round(length * 1000)}`;
      return [`${folder}/index.m3u8`, ...LADDER.map((r) => `${folder}/index_${r.name}.m3u8`)];
    };
    const serve = async (path: string, query = '') => {
      const result = await handler(event(path, query));
      if (result.statusCode !== 200) throw new Error(`${path}: ${result.statusCode} ${result.body}`);
      return result.body?.length ?? 0;
    };

    // Cold: the first clip reads and parses all six playlists.
    const coldStart = performance.now();
    for (const path of clipPaths()) await serve(path);
    const coldMs = performance.now() - coldStart;

    // Warm clips.
    console.error(`  warm clips for ${RUN_SECONDS} s`);
    const latencies: number[] = [];
    let clips = 0;
    let bytes = 0;
    const until = performance.now() + RUN_SECONDS * 1000;
    const began = performance.now();
    while (performance.now() < until) {
      for (const path of clipPaths()) {
        const t0 = performance.now();
        bytes += await serve(path);
        latencies.push(performance.now() - t0);
      }
      clips += 1;
    }
    const clipSeconds = (performance.now() - began) / 1000;
    const perPlaylist = distribution(latencies);

    // Warm filtered multivariants.
    console.error(`  filtered multivariants for ${Math.max(1, RUN_SECONDS / 4)} s`);
    const filtered: number[] = [];
    const filterUntil = performance.now() + Math.max(1, RUN_SECONDS / 4) * 1000;
    const devices = ['phone', 'tablet', 'tv'];
    while (performance.now() < filterUntil) {
      const t0 = performance.now();
      await serve(`/${VIDEO}/manifest/index.m3u8`, `device=${devices[filtered.length % 3]}`);
      filtered.push(performance.now() - t0);
    }
    const filteredDist = distribution(filtered);

    // What the cache saves: one parse of a 1,200-segment rendition playlist.
    const parses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      parsePlaylist(renditionText);
      parses.push(performance.now() - t0);
    }
    const parse = distribution(parses);

    const note =
      'two-hour video, five renditions of 1,200 six-second segments; clips of 1 s to 10 min at random offsets; ' +
      'one request at a time in one process, as in one Lambda execution environment; playlists from moto via S3PlaylistSource';
    return [
      {
        metric: 'clips per second (multivariant + 5 rendition playlists), warm',
        value: round(clips / clipSeconds, 1),
        unit: 'clips/s',
        goal: { atLeast: GOAL_CLIPS_PER_SECOND },
        note,
        detail: { clips, playlists: latencies.length, bytes },
      },
      {
        metric: 'clip playlist latency p50, warm',
        value: round(perPlaylist.p50, 3),
        unit: 'ms',
        detail: { ...perPlaylist },
      },
      {
        metric: 'clip playlist latency p99, warm',
        value: round(perPlaylist.p99, 3),
        unit: 'ms',
        goal: { atMost: GOAL_P99_MS },
      },
      {
        metric: 'first clip, cold cache (6 GetObjects + parses)',
        value: round(coldMs, 1),
        unit: 'ms',
      },
      {
        metric: 'filtered multivariant (?device=…) requests per second, warm',
        value: round(filteredDist.count / Math.max(1, RUN_SECONDS / 4), 0),
        unit: 'req/s',
        detail: { ...filteredDist },
      },
      {
        metric: 'parse of one 1,200-segment rendition playlist (what the cache saves), p50',
        value: round(parse.p50, 3),
        unit: 'ms',
        detail: { ...parse },
      },
    ];
  } finally {
    s3.destroy();
    await moto.stop();
  }
}
