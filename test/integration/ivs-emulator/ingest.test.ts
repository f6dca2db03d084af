import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  ChannelNotBroadcasting,
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  DeleteStreamKeyCommand,
  GetStreamCommand,
  IvsClient,
  ListStreamKeysCommand,
  PutMetadataCommand,
  StopStreamCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-ivs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import HLS from 'hls-parser';
import {
  IvsRecordingStateDetailSchema,
  IvsStreamStateDetailSchema,
  RECORDING_STATE_CHANGE,
  STREAM_STATE_CHANGE,
} from '#contract/events/ivs.ts';
import { timedMetadata } from '../../../bench/support/ts-timed-metadata.ts';
import { describeProblems } from '../../../lambdas/shared/events.ts';
import { emulatorClientConfig } from '../../../local/emulator-clients.ts';
import type { BusEvent } from '../../../local/event-bus.ts';
import { encodeAmf0 } from '../../../local/ivs/amf0.ts';
import { type RunningIvsEmulator, startIvsEmulator } from '../../../local/ivs/index.ts';
import { writeChunks } from '../../../local/ivs/rtmp-chunks.ts';
import { type RunningEmulator, startMoto } from '../../../local/moto.ts';
import { eventually, probeStreamTypes, publishTestPattern } from '../../support/publisher.ts';

const REGION = 'us-east-1';

/** The media sequence of a live playlist, read by the independent parser (strict: the emulator's must be valid). */
function mediaSequenceOf(text: string): number {
  HLS.setOptions({ strictMode: true });
  return (HLS.parse(text) as HLS.types.MediaPlaylist).mediaSequenceBase ?? 0;
}
const BUCKET = 'ivs-emulator-recordings';

describe('the local IVS', () => {
  let moto: RunningEmulator;
  let ivs: RunningIvsEmulator;
  let origin: Server;
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
    origin = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      void ivs.servePlayback(
        request,
        response,
        url.pathname.replace(/^\/ivs\/playback\//, ''),
        url.searchParams,
      );
    });
    await new Promise<void>((resolveListen) => origin.listen(0, '127.0.0.1', () => resolveListen()));
    const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    ivs = await startIvsEmulator({
      s3: { endpoint: moto.endpoint, region: REGION },
      publish: async (event) => {
        events.push(event);
      },
      accountId: '123456789012',
      rtmpPort: 0,
      playbackBaseUrl: `${originUrl}/ivs/playback`,
    });
    ivsClient = new IvsClient(emulatorClientConfig({ endpoint: ivs.endpoint, region: REGION }));
  });

  after(async () => {
    ivsClient?.destroy();
    await ivs?.stop();
    origin?.close();
    s3?.destroy();
    await moto?.stop();
  });

  it('ingests a publish with the channel key into live HLS, records it in IVS layout and emits the events', async () => {
    const { recordingConfiguration } = await ivsClient.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: BUCKET } },
        thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 2 },
      }),
    );
    const { channel, streamKey } = await ivsClient.send(
      new CreateChannelCommand({
        name: 'test-channel',
        latencyMode: 'LOW',
        recordingConfigurationArn: recordingConfiguration?.arn,
      }),
    );
    assert.ok(channel?.arn && channel.playbackUrl && streamKey?.value);

    const refused = publishTestPattern(`${ivs.ingestUrl}sk_wrong`, { seconds: 3 });
    assert.notEqual((await refused.exited).code, 0, 'a wrong key is refused');

    const publisher = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, {
      seconds: 8,
      size: '640x360',
    });
    const playbackUrl = channel.playbackUrl;
    const firstSequence = await eventually('a live playlist', async () => {
      const response = await fetch(playbackUrl.replace('master.m3u8', '360p30/playlist.m3u8'));
      if (!response.ok) return undefined;
      return mediaSequenceOf(await response.text());
    });
    const types = await probeStreamTypes(playbackUrl);
    assert.match(types, /video/);
    assert.match(types, /audio/);
    const live = await ivsClient.send(new GetStreamCommand({ channelArn: channel.arn }));
    assert.equal(live.stream?.state, 'LIVE');
    await eventually('the media sequence to advance', async () => {
      const text = await (await fetch(playbackUrl.replace('master.m3u8', '360p30/playlist.m3u8'))).text();
      const sequence = mediaSequenceOf(text);
      return sequence > firstSequence ? sequence : undefined;
    });
    assert.equal((await publisher.exited).code, 0);

    const end = await eventually('Recording End', async () =>
      events.find(
        (event) => (event.detail as { recording_status?: string }).recording_status === 'Recording End',
      ),
    );
    const names = events
      .filter((event) => event['detail-type'] === 'IVS Stream State Change')
      .map((event) => (event.detail as { event_name: string }).event_name);
    assert.deepEqual(names, ['Session Created', 'Stream Start', 'Stream End']);
    // What the live functions will accept (EventBridge adds the envelope's id, account and region).
    for (const event of events) {
      const schema = {
        [STREAM_STATE_CHANGE]: IvsStreamStateDetailSchema,
        [RECORDING_STATE_CHANGE]: IvsRecordingStateDetailSchema,
      }[event['detail-type']];
      const parsed = schema?.safeParse(event.detail);
      assert.ok(
        parsed?.success,
        `${event['detail-type']}: ${parsed && !parsed.success ? describeProblems(parsed.error) : 'no schema'}`,
      );
    }
    const detail = end.detail as { recording_s3_key_prefix: string; recording_duration_ms: number };
    assert.match(
      detail.recording_s3_key_prefix,
      /^ivs\/v1\/123456789012\/[A-Za-z0-9]{12}\/\d{4}\/\d{1,2}\/\d{1,2}\/\d{1,2}\/\d{1,2}\/[A-Za-z0-9]{12}$/,
    );
    assert.ok(
      Math.abs(detail.recording_duration_ms - 8000) < 1500,
      `duration ${detail.recording_duration_ms}`,
    );

    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: detail.recording_s3_key_prefix }),
    );
    const keys = (listed.Contents ?? []).map((object) =>
      object.Key?.slice(detail.recording_s3_key_prefix.length + 1),
    );
    for (const expected of [
      'events/recording-started.json',
      'events/recording-ended.json',
      'media/hls/master.m3u8',
      'media/hls/720p30/playlist.m3u8',
      'media/hls/360p30/0.ts',
      'media/thumbnails/thumb0.jpg',
    ])
      assert.ok(keys.includes(expected), `${expected} in ${keys.join(', ')}`);
    const ended = await s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: `${detail.recording_s3_key_prefix}/events/recording-ended.json`,
      }),
    );
    const metadata = JSON.parse(await (ended.Body?.transformToString() ?? '{}'));
    assert.equal(metadata.recording_status, 'RECORDING_ENDED');
    assert.equal(metadata.media.hls.renditions.length, 2);
  });

  it('continues one recording when the encoder reconnects within the reconnect window', async () => {
    const { recordingConfiguration } = await ivsClient.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: BUCKET } },
        thumbnailConfiguration: { recordingMode: 'DISABLED' },
        recordingReconnectWindowSeconds: 5,
      }),
    );
    const { channel, streamKey } = await ivsClient.send(
      new CreateChannelCommand({
        name: 'reconnects',
        recordingConfigurationArn: recordingConfiguration?.arn,
      }),
    );
    assert.ok(channel?.arn && streamKey?.value);
    const ofChannel = () => events.filter((event) => event.resources?.[0] === channel.arn);
    const named = (name: string) =>
      ofChannel().filter(
        (event) =>
          (event.detail as { event_name?: string; recording_status?: string }).event_name === name ||
          (event.detail as { recording_status?: string }).recording_status === name,
      );

    const first = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, { seconds: 4, size: '320x180' });
    await first.exited;
    await eventually('the first Stream End', async () =>
      named('Stream End').length === 1 ? true : undefined,
    );
    const second = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, { seconds: 4, size: '320x180' });
    await second.exited;
    const end = await eventually('Recording End', async () => named('Recording End')[0], 30_000);

    const detail = end.detail as {
      recording_session_stream_ids: string[];
      recording_s3_key_prefix: string;
      recording_duration_ms: number;
    };
    const streamIds = named('Stream Start').map((event) => (event.detail as { stream_id: string }).stream_id);
    assert.equal(named('Recording Start').length, 1, 'one recording');
    assert.equal(named('Recording End').length, 1);
    assert.deepEqual(detail.recording_session_stream_ids, streamIds);
    assert.equal(streamIds.length, 2);
    assert.ok(
      Math.abs(detail.recording_duration_ms - 8000) < 2000,
      `duration ${detail.recording_duration_ms}`,
    );
    const playlist = await s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: `${detail.recording_s3_key_prefix}/media/hls/360p30/playlist.m3u8`,
      }),
    );
    const text = (await playlist.Body?.transformToString()) ?? '';
    assert.equal(text.match(/#EXT-X-DISCONTINUITY/g)?.length, 1);
    assert.match(text, /#EXT-X-ENDLIST/);
  });

  it('goes live from a publisher without audio, with video-only renditions', async () => {
    const { channel, streamKey } = await ivsClient.send(new CreateChannelCommand({ name: 'silent' }));
    assert.ok(channel?.playbackUrl && streamKey?.value);
    const publisher = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, {
      seconds: 6,
      size: '320x180',
      audio: false,
    });
    const rendition = channel.playbackUrl.replace('master.m3u8', '360p30/playlist.m3u8');
    await eventually('a live playlist', async () => {
      const response = await fetch(rendition);
      return response.ok && /\.ts/.test(await response.text()) ? true : undefined;
    });
    const types = await probeStreamTypes(channel.playbackUrl);
    await publisher.exited;

    assert.match(types, /video/);
    assert.doesNotMatch(types, /audio/);
  });

  it('reports a Stream Failure and disconnects an encoder whose media cannot be transcoded', async () => {
    const { channel, streamKey } = await ivsClient.send(new CreateChannelCommand({ name: 'broken' }));
    assert.ok(channel?.arn && streamKey?.value);
    // An encoder that announces audio and H.264 and then sends bytes that are neither.
    const socket = connect(ivs.rtmpPort, '127.0.0.1');
    const closed = new Promise<void>((resolveClose) => socket.once('close', () => resolveClose()));
    socket.on('error', () => {});
    // Reads what the server says, as an encoder does (a paused socket would never see the server close it).
    socket.resume();
    await new Promise<void>((resolveConnect) => socket.once('connect', () => resolveConnect()));
    socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536)]));
    await eventually('the server handshake', async () =>
      socket.bytesRead >= 1 + 2 * 1536 ? true : undefined,
    );
    socket.write(Buffer.alloc(1536));
    const command = (streamId: number, ...values: Parameters<typeof encodeAmf0>) =>
      writeChunks(
        {
          chunkStreamId: 3,
          timestamp: 0,
          typeId: 20,
          messageStreamId: streamId,
          payload: encodeAmf0(...values),
        },
        128,
      );
    socket.write(command(0, 'connect', 1, { app: 'app', type: 'nonprivate' }));
    socket.write(command(0, 'createStream', 2, null));
    socket.write(command(1, 'publish', 0, null, streamKey.value, 'live'));
    const metadata = encodeAmf0('@setDataFrame', 'onMetaData', {
      audiocodecid: 10,
      videocodecid: 7,
      width: 640,
      height: 360,
    });
    socket.write(
      writeChunks({ chunkStreamId: 4, timestamp: 0, typeId: 18, messageStreamId: 1, payload: metadata }, 128),
    );
    for (let i = 0; i < 60; i += 1)
      socket.write(
        writeChunks(
          {
            chunkStreamId: 6,
            timestamp: i * 33,
            typeId: 9,
            messageStreamId: 1,
            payload: Buffer.alloc(100, i),
          },
          128,
        ),
      );

    const failure = await eventually('a Stream Failure', async () =>
      events.find(
        (event) =>
          event.resources?.[0] === channel.arn &&
          (event.detail as { event_name?: string }).event_name === 'Stream Failure',
      ),
    );
    await closed;
    assert.equal((failure.detail as { channel_name: string }).channel_name, 'broken');
  });

  it('cuts off an encoder when its key is deleted and the stream stopped, and refuses the old key after', async () => {
    const { channel, streamKey } = await ivsClient.send(new CreateChannelCommand({ name: 'rotate' }));
    assert.ok(channel?.arn && streamKey?.value && streamKey.arn);
    const publisher = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, {
      seconds: 60,
      size: '320x180',
    });
    await eventually('the stream to be live', async () => {
      const { stream } = await ivsClient.send(new GetStreamCommand({ channelArn: channel.arn }));
      return stream?.state === 'LIVE' ? stream : undefined;
    });
    await ivsClient.send(new DeleteStreamKeyCommand({ arn: streamKey.arn }));
    await ivsClient.send(new StopStreamCommand({ channelArn: channel.arn }));
    const { code } = await publisher.exited;
    assert.notEqual(code, 0, 'the publisher was cut off');
    const { streamKeys } = await ivsClient.send(new ListStreamKeysCommand({ channelArn: channel.arn }));
    assert.deepEqual(streamKeys, []);
    const again = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, { seconds: 3 });
    assert.notEqual((await again.exited).code, 0, 'the old key is refused');
  });

  it('takes PutMetadata as IVS does: within its limits, into the live segments at the moment it came', async () => {
    const { channel, streamKey } = await ivsClient.send(new CreateChannelCommand({ name: 'metadata' }));
    assert.ok(channel?.arn && channel.playbackUrl && streamKey?.value);
    const channelArn = channel.arn;
    await assert.rejects(
      ivsClient.send(new PutMetadataCommand({ channelArn, metadata: 'too early' })),
      ChannelNotBroadcasting,
    );
    const publisher = publishTestPattern(`${ivs.ingestUrl}${streamKey.value}`, {
      seconds: 12,
      size: '320x180',
    });
    const rendition = channel.playbackUrl.replace('master.m3u8', '360p30/playlist.m3u8');
    await eventually('a live playlist', async () => {
      const response = await fetch(rendition);
      return response.ok && /\.ts/.test(await response.text()) ? true : undefined;
    });

    await assert.rejects(
      ivsClient.send(new PutMetadataCommand({ channelArn, metadata: 'x'.repeat(1025) })),
      ValidationException,
    );
    // Without the SDK's retries, which would try a throttled call again later.
    const once = new IvsClient({
      ...emulatorClientConfig({ endpoint: ivs.endpoint, region: REGION }),
      maxAttempts: 1,
    });
    const began = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        once.send(new PutMetadataCommand({ channelArn, metadata: `cue ${i} é` })).then(
          () => 'ok',
          (error: unknown) => (error instanceof ThrottlingException ? 'throttled' : String(error)),
        ),
      ),
    );
    const took = Date.now() - began;
    once.destroy();
    const accepted = outcomes.filter((outcome) => outcome === 'ok').length;
    assert.ok(
      outcomes.every((outcome) => outcome === 'ok' || outcome === 'throttled'),
      outcomes.join(),
    );
    // Five per second per channel: seven calls at once (within one second) get five through.
    if (took < 1000) assert.equal(accepted, 5, outcomes.join());
    else assert.ok(accepted >= 5, outcomes.join());

    const found = new Map<string, number>();
    const seen = new Set<string>();
    await eventually('the accepted payloads in the segments', async () => {
      const text = await (await fetch(rendition)).text();
      for (const segment of (HLS.parse(text) as HLS.types.MediaPlaylist).segments) {
        const url = new URL(segment.uri, rendition).toString();
        if (seen.has(url)) continue;
        seen.add(url);
        const read = timedMetadata(Buffer.from(await (await fetch(url)).arrayBuffer()));
        for (const frame of read.frames) found.set(frame.payload, frame.ptsSeconds);
      }
      return found.size >= accepted ? true : undefined;
    });
    await publisher.exited;
    assert.equal(found.size, accepted);
    for (const payload of found.keys()) assert.match(payload, /^cue \d é$/);
    // They came within a fraction of a second of each other, and sit as close together in the stream.
    const times = [...found.values()];
    assert.ok(Math.max(...times) - Math.min(...times) < 1.5, JSON.stringify(times));
  });
});
