import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  ChannelNotBroadcasting,
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteStreamKeyCommand,
  GetStreamKeyCommand,
  IvsClient,
  ListStreamKeysCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StopStreamCommand,
} from '@aws-sdk/client-ivs';
import { mockClient } from 'aws-sdk-client-mock';
import { IvsLiveChannels } from '../../../lambdas/live/ivs-channels.ts';
import { logger } from '../../../lambdas/shared/logger.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { invoke } from '../../support/lambda.ts';
import { InMemoryInteractivityStore } from '../interactivity/in-memory.ts';
import { inMemoryQuotas } from '../shared/in-memory-quotas.ts';
import { InMemoryChannels, InMemoryStreamStore } from './in-memory.ts';

const client = new IvsClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const ivs = mockClient(client);
const CHANNEL = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij';
const channels = new IvsLiveChannels(client, {
  recordingConfigurationArn: 'arn:aws:ivs:us-east-1:1:recording-configuration/r',
  application: 'app',
});

describe('IvsLiveChannels', () => {
  beforeEach(() => ivs.reset());

  it('creates channels low latency, RTMPS only, standard, recorded and tagged', async () => {
    ivs.on(CreateChannelCommand).resolves({
      channel: {
        arn: CHANNEL,
        name: 'app-u',
        ingestEndpoint: 'i.example',
        playbackUrl: 'https://p.example/x.m3u8',
      },
    });

    const created = await channels.createChannel({
      name: 'app-u',
      authorized: true,
      tags: { application: 'app' },
    });

    assert.deepEqual(ivs.commandCalls(CreateChannelCommand)[0]?.args[0].input, {
      name: 'app-u',
      latencyMode: 'LOW',
      type: 'STANDARD',
      authorized: true,
      insecureIngest: false,
      recordingConfigurationArn: 'arn:aws:ivs:us-east-1:1:recording-configuration/r',
      tags: { application: 'app' },
    });
    assert.equal(created.id, 'AbCdef1G2hij');
  });

  it('rotates by deleting every key, then stopping the stream, then creating the new key', async () => {
    const order: string[] = [];
    ivs.on(ListStreamKeysCommand).resolves({ streamKeys: [{ arn: 'arn:key/1' }] });
    ivs.on(DeleteStreamKeyCommand).callsFake(async () => {
      order.push('delete');
      return {};
    });
    ivs.on(StopStreamCommand).callsFake(async () => {
      order.push('stop');
      throw new ChannelNotBroadcasting({ message: 'not live', $metadata: {} });
    });
    ivs.on(CreateStreamKeyCommand).callsFake(async () => {
      order.push('create');
      return { streamKey: { arn: 'arn:key/2', value: 'sk_new' } };
    });

    const key = await channels.rotateStreamKey(CHANNEL);

    assert.equal(key, 'sk_new');
    assert.deepEqual(order, ['delete', 'stop', 'create']);
    // The live functions may create a key only with the application's tag.
    assert.deepEqual(ivs.commandCalls(CreateStreamKeyCommand)[0]?.args[0].input, {
      channelArn: CHANNEL,
      tags: { application: 'app' },
    });
  });

  it('reads the key again when a concurrent rotation deletes the listed one before it is read', async () => {
    ivs
      .on(ListStreamKeysCommand)
      .resolvesOnce({ streamKeys: [{ arn: 'arn:key/old' }] })
      .resolves({ streamKeys: [{ arn: 'arn:key/new' }] });
    ivs
      .on(GetStreamKeyCommand, { arn: 'arn:key/old' })
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    ivs.on(GetStreamKeyCommand, { arn: 'arn:key/new' }).resolves({ streamKey: { value: 'sk_new' } });

    assert.equal(await channels.streamKey(CHANNEL), 'sk_new');
  });

  it('rotates to the key a concurrent request created after the old one was revoked', async () => {
    ivs
      .on(ListStreamKeysCommand)
      .resolvesOnce({ streamKeys: [{ arn: 'arn:key/old' }] })
      .resolves({ streamKeys: [{ arn: 'arn:key/theirs' }] });
    ivs.on(DeleteStreamKeyCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    ivs.on(StopStreamCommand).rejects(new ChannelNotBroadcasting({ message: 'not live', $metadata: {} }));
    ivs
      .on(CreateStreamKeyCommand)
      .rejects(new ServiceQuotaExceededException({ message: 'one key per channel', $metadata: {} }));
    ivs.on(GetStreamKeyCommand).resolves({ streamKey: { value: 'sk_theirs' } });

    assert.equal(await channels.rotateStreamKey(CHANNEL), 'sk_theirs');
  });

  it('answers 409 STREAM_KEY_CHANGING when the key keeps changing under every read', async () => {
    ivs.on(ListStreamKeysCommand).resolves({ streamKeys: [{ arn: 'arn:key/vanishing' }] });
    ivs.on(GetStreamKeyCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));

    await assert.rejects(channels.streamKey(CHANNEL), { code: 'STREAM_KEY_CHANGING', status: 409 });
  });

  it('passes on errors other than "not broadcasting"', async () => {
    ivs.on(StopStreamCommand).rejects(new Error('throttled'));
    await assert.rejects(channels.stopStream(CHANNEL), /throttled/);
  });
});

describe('stream keys and logs', () => {
  it('never writes a stream key into the logs, at any level', async () => {
    const deps = {
      channels: new InMemoryChannels(),
      store: new InMemoryStreamStore(),
      interactivity: new InMemoryInteractivityStore(),
      tokens: { sign: async () => 'token' },
      settings: {
        application: 'app',
        ingestUrlTemplate: 'rtmps://{ingestEndpoint}:443/app/',
        playbackTokenSeconds: 60,
      },
      ...inMemoryQuotas(),
    };
    Object.assign(process.env, {
      USER_POOL_ID: 'us-east-1_example',
      USER_POOL_CLIENT_ID: 'client',
      CATALOG_TABLE_NAME: 'catalog',
      APPLICATION_NAME: 'app',
      RECORDING_CONFIGURATION_ARN: 'arn:aws:ivs:us-east-1:1:recording-configuration/r',
      PLAYBACK_KEY_SECRET_ID: 'key',
      INGEST_URL_TEMPLATE: 'rtmps://{ingestEndpoint}:443/app/',
    });
    const start = (await import('../../../lambdas/live/start-stream.ts')).createHandler({
      ...userIdTokens,
      ...deps,
    });
    const rotate = (await import('../../../lambdas/live/rotate-stream-key.ts')).createHandler({
      ...userIdTokens,
      ...deps,
    });
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const level = logger.getLevelName();
    logger.setLogLevel('DEBUG');
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    let keys: string[];
    try {
      const started = await invoke(start, {
        method: 'POST',
        path: '/streams',
        routeKey: 'POST /streams',
        token: 'user-a',
        body: { title: 'x' },
      });
      const streamId = started.body.stream.streamId;
      const rotated = await invoke(rotate, {
        method: 'POST',
        path: `/streams/${streamId}/key`,
        routeKey: 'POST /streams/{streamId}/key',
        token: 'user-a',
        pathParameters: { streamId },
      });
      keys = [started.body.ingest.streamKey, rotated.body.ingest.streamKey];
    } finally {
      process.stdout.write = write;
      logger.setLogLevel(level);
    }
    assert.ok(written.length > 0, 'the handlers logged something');
    for (const key of keys) assert.ok(!written.some((line) => line.includes(key)), `${key} is not logged`);
  });
});
