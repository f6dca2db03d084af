/**
 * Live on the local platform, measured:
 * - `live-latency`: the local IVS alone (in this process, so its own clock stamps the first RTMP frame) with an
 *   ffmpeg publisher of a 720p30 test pattern, several runs: time from the first audio/video frame to the first
 *   segment in the live playlist; how far the live playlist's edge trails what the publisher has sent; CPU per
 *   live stream (the transcoding ffmpeg plus this process's ingest and serving).
 * - `live-viewers`: the whole platform in its own process, a creator live through startStream, and 1,000
 *   simulated viewers (another process) polling the live playlist every second and fetching each new segment
 *   from the local origin: errors and p99 latencies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  GetStreamCommand,
  IvsClient,
} from '@aws-sdk/client-ivs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parseMediaPlaylist } from '../lambdas/contract/hls/index.ts';
import { emulatorClientConfig } from '../local/emulator-clients.ts';
import { startIvsEmulator } from '../local/ivs/index.ts';
import { startMoto } from '../local/moto.ts';
import { callApi } from '../scripts/uploader.ts';
import { eventually, publishTestPattern } from '../test/support/publisher.ts';
import { exited, forkModule, nextMessage } from './support/child.ts';
import { hostPlatform } from './support/hosted-platform.ts';
import type { ViewersJob, ViewersReport } from './support/live-viewers-worker.ts';
import { processCpuSeconds } from './support/machine.ts';
import type { BenchRow } from './support/report.ts';
import { distribution, round } from './support/stats.ts';

const REGION = 'us-east-1';
const RUNS = 5;
const PUBLISH_SECONDS = 16;

const median = (values: number[]) => distribution(values).p50;

export async function liveLatency(): Promise<BenchRow[]> {
  const moto = await startMoto();
  const s3 = new S3Client({
    ...emulatorClientConfig({ endpoint: moto.endpoint, region: REGION }),
    forcePathStyle: true,
  });
  const bucket = 'bench-live-recordings';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  let serve:
    | ((...args: Parameters<Awaited<ReturnType<typeof startIvsEmulator>>['servePlayback']>) => Promise<void>)
    | undefined;
  const origin = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    void serve?.(request, response, url.pathname.replace(/^\/ivs\/playback\//, ''), url.searchParams);
  });
  await new Promise<void>((resolveListen) => origin.listen(0, '127.0.0.1', () => resolveListen()));
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const ivs = await startIvsEmulator({
    s3: { endpoint: moto.endpoint, region: REGION },
    publish: async () => {},
    accountId: '123456789012',
    rtmpPort: 0,
    playbackBaseUrl: `${originUrl}/ivs/playback`,
  });
  serve = ivs.servePlayback;
  const client = new IvsClient(emulatorClientConfig({ endpoint: ivs.endpoint, region: REGION }));
  try {
    const { recordingConfiguration } = await client.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: bucket } },
        thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 10 },
      }),
    );
    const { channel, streamKey } = await client.send(
      new CreateChannelCommand({ name: 'bench', recordingConfigurationArn: recordingConfiguration?.arn }),
    );
    if (!channel?.arn || !channel.playbackUrl || !streamKey?.value)
      throw new Error('The local IVS made no channel');
    const playlistUrl = channel.playbackUrl.replace('master.m3u8', '720p30/playlist.m3u8');

    const startups: number[] = [];
    const trails: number[] = [];
    const cores: number[] = [];
    const transcodeCores: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const publisher = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, {
        seconds: PUBLISH_SECONDS,
      });
      // The first segment, seen the way a player would see it: in the live playlist, over HTTP.
      const firstSeen = await eventually(
        'the first live segment',
        async () => {
          const response = await fetch(playlistUrl);
          const text = await response.text();
          return response.ok && /\.ts/.test(text) ? performance.now() : undefined;
        },
        30_000,
        20,
      );
      const timings = ivs.service.liveTimings(channel.arn);
      if (timings.firstFrameAt === undefined || timings.ffmpegPid === undefined)
        throw new Error('The local IVS did not time the stream');
      startups.push((firstSeen - timings.firstFrameAt) / 1000);

      // Steady state: where the playlist's edge is against what the publisher has sent (-re: real time).
      const cpuBefore = processCpuSeconds(timings.ffmpegPid);
      const nodeBefore = process.cpuUsage();
      const wallBefore = performance.now();
      const runTrails: number[] = [];
      while (performance.now() - timings.firstFrameAt < (PUBLISH_SECONDS - 3) * 1000) {
        const text = await (await fetch(playlistUrl)).text();
        const sent = (performance.now() - timings.firstFrameAt) / 1000;
        const { mediaSequence: sequence, segments } = parseMediaPlaylist(text);
        const window = segments.reduce((sum, segment) => sum + segment.duration, 0);
        // Segments before the window are whole seconds (a keyframe every second).
        runTrails.push(sent - (sequence + window));
        await new Promise((resolveWait) => setTimeout(resolveWait, 200));
      }
      const wall = (performance.now() - wallBefore) / 1000;
      const cpuAfter = processCpuSeconds(timings.ffmpegPid);
      const node = process.cpuUsage(nodeBefore);
      if (cpuBefore !== undefined && cpuAfter !== undefined) {
        transcodeCores.push((cpuAfter - cpuBefore) / wall);
        cores.push((cpuAfter - cpuBefore + (node.user + node.system) / 1e6) / wall);
      }
      trails.push(median(runTrails));
      await publisher.exited;
      await eventually(
        'the stream to end',
        async () => {
          try {
            await client.send(new GetStreamCommand({ channelArn: channel.arn }));
            return undefined;
          } catch {
            return true;
          }
        },
        30_000,
      );
    }
    return [
      {
        metric: 'first RTMP frame → first segment in the live playlist, p50',
        value: round(median(startups), 2),
        unit: 's',
        goal: { atMost: 2.5 },
        note: `${RUNS} runs of a ${PUBLISH_SECONDS} s 720p30 publish; 1-second segments, two renditions.`,
        detail: { runs: startups },
      },
      {
        metric: 'live edge behind the publisher, p50',
        value: round(median(trails), 2),
        unit: 's',
        goal: { atMost: 4 },
        note: 'What the publisher has sent minus the end of the newest segment in the live playlist, sampled every 200 ms.',
        detail: { runs: trails },
      },
      {
        metric: 'CPU per live stream (transcode + ingest + serving)',
        value: round(median(cores), 2),
        unit: 'cores',
        note: 'x264 ultrafast into 720p and 360p at 30 fps, one ffmpeg per stream; the publisher itself not counted.',
        detail: { runs: cores, transcodeOnly: transcodeCores },
      },
    ];
  } finally {
    client.destroy();
    await ivs.stop();
    origin.close();
    s3.destroy();
    await moto.stop();
  }
}

const VIEWERS = 1000;
const VIEWING_SECONDS = 30;

export async function liveViewers(): Promise<BenchRow[]> {
  const platform = await hostPlatform();
  const publisherSeconds = VIEWING_SECONDS + 30;
  let publisher: ReturnType<typeof publishTestPattern> | undefined;
  try {
    const started = await callApi<{
      stream: { streamId: string };
      ingest: { url: string; streamKey: string };
    }>(platform.client, 'POST', '/streams', { title: 'Benchmark', visibility: 'public' });
    publisher = publishTestPattern(`${started.ingest.url}${started.ingest.streamKey}`, {
      seconds: publisherSeconds,
    });
    const live = await eventually(
      'the stream to be LIVE',
      async () => {
        const view = await callApi<{ status: string; playbackUrl: string }>(
          platform.client,
          'GET',
          `/streams/${started.stream.streamId}`,
        );
        return view.status === 'LIVE' ? view : undefined;
      },
      60_000,
    );
    const worker = forkModule(new URL('./support/live-viewers-worker.ts', import.meta.url).pathname, {
      stdout: 'inherit',
    });
    const cpuBefore = platform.cpuSeconds();
    const job: ViewersJob = {
      type: 'start',
      playbackUrl: live.playbackUrl,
      viewers: VIEWERS,
      seconds: VIEWING_SECONDS,
    };
    worker.send(job);
    const report = await Promise.race([
      nextMessage<ViewersReport>(worker, 'done', (VIEWING_SECONDS + 120) * 1000),
      platform.down,
    ]);
    const cpuAfter = platform.cpuSeconds();
    await exited(worker);
    const playlists = distribution(report.playlistMs);
    const segments = distribution(report.segmentMs);
    const requests = report.playlistMs.length + report.segmentMs.length;
    const errorKinds = [...new Set(report.errors)].slice(0, 10);
    return [
      {
        metric: `errors, ${VIEWERS} viewers for ${VIEWING_SECONDS} s`,
        value: report.errors.length,
        unit: 'requests',
        goal: { atMost: 0 },
        note: `Each viewer polls its rendition's live playlist every second and fetches every new segment (half 720p, half 360p).`,
        detail: { errorKinds, requests },
      },
      {
        metric: 'live playlist, p99',
        value: round(playlists.p99, 1),
        unit: 'ms',
        detail: { ...playlists },
      },
      {
        metric: 'segment, p99',
        value: round(segments.p99, 1),
        unit: 'ms',
        detail: { ...segments, megabytesPerSecond: round(report.segmentBytes / 1e6 / VIEWING_SECONDS, 1) },
      },
      {
        metric: 'requests served',
        value: round(requests / VIEWING_SECONDS, 0),
        unit: 'req/s',
      },
      {
        metric: 'platform CPU while serving them',
        value: round(((cpuAfter.platform ?? 0) - (cpuBefore.platform ?? 0)) / VIEWING_SECONDS, 2),
        unit: 'cores',
        note: 'The platform process (origin, ingest); the transcoding ffmpeg is its child and not counted here.',
      },
    ];
  } finally {
    await publisher?.stop();
    await platform.stop();
  }
}
