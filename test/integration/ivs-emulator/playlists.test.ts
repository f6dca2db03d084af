/**
 * The local IVS's playlists against what their segments measure: a live multivariant and a recording's
 * multivariant must label each rendition with BANDWIDTH at least its peak segment bitrate (RFC 8216
 * §4.3.4.2; peak = a segment's bits over its EXTINF duration) and, once the recording ends, AVERAGE-BANDWIDTH
 * its average; live media playlists carry EXT-X-PROGRAM-DATE-TIME on every segment. The publisher sends
 * noise, which no encoder can compress below its rate cap, so the peaks are the encoder's worst.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, CreateRecordingConfigurationCommand, IvsClient } from '@aws-sdk/client-ivs';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseMediaPlaylist, parseMultivariantPlaylist } from '../../../lambdas/contract/hls/index.ts';
import { emulatorClientConfig } from '../../../local/emulator-clients.ts';
import type { BusEvent } from '../../../local/event-bus.ts';
import { type RunningIvsEmulator, startIvsEmulator } from '../../../local/ivs/index.ts';
import { type RunningEmulator, startMoto } from '../../../local/moto.ts';
import { eventually } from '../../support/publisher.ts';

const REGION = 'us-east-1';
const BUCKET = 'ivs-playlists-recordings';

/** Peak and average bits per second of segments, from their sizes and EXTINF durations. */
function bitrates(segments: { bytes: number; duration: number }[]): { peak: number; average: number } {
  const bits = segments.reduce((sum, segment) => sum + segment.bytes * 8, 0);
  const seconds = segments.reduce((sum, segment) => sum + segment.duration, 0);
  const peak = Math.max(...segments.map((segment) => (segment.bytes * 8) / segment.duration));
  return { peak, average: bits / seconds };
}

/** Publishes `seconds` of moving noise with a tone, in real time, to an RTMP URL. */
function publishNoise(url: string, seconds: number) {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30,noise=alls=60:allf=t+u'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '60'],
      ...['-b:v', '4M', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k'],
      ...['-rw_timeout', '10000000', '-f', 'flv', url],
    ],
    { stdio: 'ignore' },
  );
  return new Promise<number | null>((resolveExit) => child.once('close', resolveExit));
}

describe('the local IVS playlists', () => {
  let moto: RunningEmulator;
  let ivs: RunningIvsEmulator;
  let ivsClient: IvsClient;
  let s3: S3Client;
  const events: BusEvent[] = [];

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: moto.endpoint, region: REGION }),
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    ivs = await startIvsEmulator({
      s3: { endpoint: moto.endpoint, region: REGION },
      publish: async (event) => {
        events.push(event);
      },
      accountId: '123456789012',
      rtmpPort: 0,
      // Playback is served by this test's own origin below; the URL is only what the channel reports.
      playbackBaseUrl: 'http://127.0.0.1:9/ivs/playback',
    });
    ivsClient = new IvsClient(emulatorClientConfig({ endpoint: ivs.endpoint, region: REGION }));
  });

  after(async () => {
    ivsClient?.destroy();
    await ivs?.stop();
    s3?.destroy();
    await moto?.stop();
  });

  /** Serves a playback path through the emulator, as the media server does. */
  async function playback(path: string): Promise<{ status: number; body: Buffer }> {
    const { createServer } = await import('node:http');
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      void ivs.servePlayback(request, response, url.pathname.slice(1), url.searchParams);
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen()));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/${path}`);
      return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
    } finally {
      server.close();
    }
  }

  it('labels live and recorded renditions at least their peak, and dates every live segment', async () => {
    const { recordingConfiguration } = await ivsClient.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: BUCKET } },
        thumbnailConfiguration: { recordingMode: 'DISABLED' },
      }),
    );
    const { channel, streamKey } = await ivsClient.send(
      new CreateChannelCommand({
        name: 'playlists',
        latencyMode: 'LOW',
        recordingConfigurationArn: recordingConfiguration?.arn,
      }),
    );
    assert.ok(channel?.arn && streamKey?.value);
    const channelId = channel.arn.split('/').pop() as string;
    const publishedAt = Date.now();
    const published = publishNoise(`${ivs.ingestUrl}${streamKey.value}`, 8);

    // Live: wait until a window of segments stands, then compare the multivariant with them.
    const renditions = ['720p30', '360p30'];
    const windows = new Map<string, ReturnType<typeof parseMediaPlaylist>>();
    await eventually(
      'live playlists with four segments',
      async () => {
        for (const name of renditions) {
          const { status, body } = await playback(`${channelId}/${name}/playlist.m3u8`);
          if (status !== 200) return undefined;
          const playlist = parseMediaPlaylist(body.toString());
          if (playlist.segments.length < 4) return undefined;
          windows.set(name, playlist);
        }
        return true;
      },
      30_000,
    );
    const live = new Map<string, { bytes: number; duration: number }[]>();
    for (const [name, playlist] of windows) {
      const measured = [];
      for (const segment of playlist.segments) {
        const { status, body } = await playback(`${channelId}/${name}/${segment.uri}`);
        if (status === 200) measured.push({ bytes: body.length, duration: segment.duration });
      }
      live.set(name, measured);
      // Every segment is dated, from the first frame on, one EXTINF after the other.
      const dates = playlist.segments.map((segment) => segment.programDateTime?.getTime());
      assert.ok(
        dates.every((date) => date !== undefined),
        `${name}: a segment without PROGRAM-DATE-TIME`,
      );
      assert.ok((dates[0] as number) >= publishedAt - 1000 && (dates[0] as number) <= Date.now());
      for (let i = 1; i < dates.length; i++) {
        const step = ((dates[i] as number) - (dates[i - 1] as number)) / 1000;
        assert.ok(Math.abs(step - (playlist.segments[i - 1]?.duration ?? 0)) < 0.01, `${name}: step ${step}`);
      }
    }
    const liveMultivariant = parseMultivariantPlaylist(
      (await playback(`${channelId}/master.m3u8`)).body.toString(),
    );
    for (const variant of liveMultivariant.variants) {
      const name = variant.uri.split('/')[0] as string;
      const { peak } = bitrates(live.get(name) ?? []);
      assert.ok(
        variant.bandwidth >= peak,
        `live ${name}: BANDWIDTH ${variant.bandwidth} < peak ${Math.round(peak)}`,
      );
    }

    // The recording, once it has ended.
    assert.equal(await published, 0);
    await eventually(
      'Recording End',
      async () =>
        events.find(
          (event) => (event.detail as { recording_status?: string }).recording_status === 'Recording End',
        ),
      30_000,
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const masterKey = listed.Contents?.map((object) => object.Key).find((key) =>
      key?.endsWith('/master.m3u8'),
    );
    assert.ok(masterKey);
    const hlsFolder = masterKey.slice(0, -'master.m3u8'.length);
    const text = async (key: string) =>
      (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString()) ??
      '';
    const recorded = parseMultivariantPlaylist(await text(masterKey));
    assert.equal(recorded.variants.length, renditions.length);
    for (const variant of recorded.variants) {
      const playlist = parseMediaPlaylist(await text(`${hlsFolder}${variant.uri}`));
      const folder = `${hlsFolder}${variant.uri.split('/')[0]}/`;
      const measured = [];
      for (const segment of playlist.segments) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${folder}${segment.uri}` }));
        measured.push({ bytes: head.ContentLength ?? 0, duration: segment.duration });
      }
      const { peak, average } = bitrates(measured);
      assert.ok((measured.at(-1)?.duration ?? 0) >= 0.5, `recorded ${variant.uri} ends in a runt segment`);
      assert.ok(
        variant.bandwidth >= peak,
        `recorded ${variant.uri}: BANDWIDTH ${variant.bandwidth} < peak ${Math.round(peak)}`,
      );
      assert.ok(
        Math.abs((variant.averageBandwidth ?? 0) - average) <= 1,
        `recorded ${variant.uri}: AVERAGE-BANDWIDTH ${variant.averageBandwidth}, measured ${Math.round(average)}`,
      );
    }
  });
});
