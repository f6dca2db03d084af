/**
 * The live adapters against real endpoints: channels through the IVS SDK against moto (which implements
 * IVS channels) and stream keys against the local IVS (moto has none); stream facts in DynamoDB; the
 * playback key in Secrets Manager.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  CreateChannelCommand,
  GetChannelCommand,
  IvsClient,
  ListStreamKeysCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ivs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { IvsLiveChannels } from '../../../lambdas/live/ivs-channels.ts';
import { applyStreamEvent } from '../../../lambdas/live/ivs-events.ts';
import { SecretPlaybackTokenSigner } from '../../../lambdas/live/playback-tokens.ts';
import type { StoredChannel } from '../../../lambdas/live/ports.ts';
import { type IvsEvent, sessionOf } from '../../../lambdas/live/stream-state.ts';
import { DynamoStreamStore } from '../../../lambdas/live/stream-store.ts';
import { documentClient } from '../../../lambdas/shared/dynamodb.ts';
import { keyPairInSecret } from '../../../lambdas/shared/key-pair.ts';
import { emulatorClientConfig } from '../../../local/emulator-clients.ts';
import { type RunningIvsEmulator, startIvsEmulator } from '../../../local/ivs/index.ts';
import { checkPlaybackToken, importPlaybackPublicKey } from '../../../local/ivs/playback-token.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';

let emulator: TestEmulator;
before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator?.stop();
});

describe('IvsLiveChannels against moto (channels)', () => {
  let ivs: IvsClient;
  before(() => {
    ivs = new IvsClient(
      emulatorClientConfig({ endpoint: emulator.endpoint, region: emulator.resources.region }),
    );
  });
  after(() => ivs.destroy());

  it('creates a low-latency, RTMPS-only, recorded channel and finds it again by its exact name', async () => {
    const recordingConfigurationArn =
      'arn:aws:ivs:us-east-1:123456789012:recording-configuration/AbCdEfGh1234';
    const channels = new IvsLiveChannels(ivs, { recordingConfigurationArn, application: 'skycast-it' });
    const created = await channels.createChannel({
      name: 'skycast-it-alice',
      authorized: false,
      tags: { application: 'skycast-it' },
    });
    await channels.createChannel({ name: 'skycast-it-alice2', authorized: false, tags: {} });

    const { channel } = await ivs.send(new GetChannelCommand({ arn: created.arn }));
    const found = await channels.findChannel('skycast-it-alice');

    assert.equal(channel?.latencyMode, 'LOW');
    assert.equal(channel?.insecureIngest, false);
    assert.equal(channel?.recordingConfigurationArn, recordingConfigurationArn);
    assert.deepEqual(channel?.tags, { application: 'skycast-it' });
    assert.equal(created.id, created.arn.split('/').pop());
    assert.deepEqual(found, created);
    assert.equal(await channels.findChannel('skycast-it-nobody'), undefined);
  });

  it('makes a channel private and public, and deletes it', async () => {
    const channels = new IvsLiveChannels(ivs, { recordingConfigurationArn: '', application: 'skycast-it' });
    const created = await channels.createChannel({ name: 'skycast-it-bob', authorized: false, tags: {} });

    await channels.setAuthorized(created.arn, true);
    const privateNow = (await ivs.send(new GetChannelCommand({ arn: created.arn }))).channel?.authorized;
    await channels.deleteChannel(created.arn);

    assert.equal(privateNow, true);
    await assert.rejects(ivs.send(new GetChannelCommand({ arn: created.arn })), /not found/i);
  });
});

describe('IvsLiveChannels against the local IVS (stream keys, streams)', () => {
  let local: RunningIvsEmulator;
  let ivs: IvsClient;
  before(async () => {
    local = await startIvsEmulator({
      s3: { endpoint: emulator.endpoint, region: emulator.resources.region },
      publish: async () => {},
      accountId: '123456789012',
      rtmpPort: 0,
      playbackBaseUrl: 'http://127.0.0.1:9/ivs/playback',
    });
    ivs = new IvsClient(
      emulatorClientConfig({ endpoint: local.endpoint, region: emulator.resources.region }),
    );
  });
  after(async () => {
    ivs?.destroy();
    await local?.stop();
  });

  it('reads the key, rotates it to a new one, and says when a channel is not broadcasting', async () => {
    const channels = new IvsLiveChannels(ivs, { recordingConfigurationArn: '', application: 'skycast-it' });
    const created = await channels.createChannel({ name: 'skycast-it-carol', authorized: false, tags: {} });

    const first = await channels.streamKey(created.arn);
    const again = await channels.streamKey(created.arn);
    const rotated = await channels.rotateStreamKey(created.arn);

    assert.match(first, /^sk_us-east-1_/);
    assert.equal(again, first);
    assert.notEqual(rotated, first);
    assert.equal(await channels.streamKey(created.arn), rotated);
    const { streamKeys } = await ivs.send(new ListStreamKeysCommand({ channelArn: created.arn }));
    assert.deepEqual(
      streamKeys?.map((key) => key.tags),
      [{ application: 'skycast-it' }],
      'the key the rotation created carries the application tag',
    );
    assert.equal(await channels.stopStream(created.arn), false);
    assert.equal(await channels.viewerCount(created.arn), undefined);
  });

  it("answers ListTagsForResource with a channel's tags (what the local IAM gateway evaluates)", async () => {
    const { channel } = await ivs.send(
      new CreateChannelCommand({ name: 'skycast-it-dave', tags: { application: 'skycast-it' } }),
    );
    const { tags } = await ivs.send(new ListTagsForResourceCommand({ resourceArn: channel?.arn }));
    assert.deepEqual(tags, { application: 'skycast-it' });
    const missing = 'arn:aws:ivs:us-east-1:123456789012:channel/NoSuchOne123';
    await assert.rejects(
      ivs.send(new ListTagsForResourceCommand({ resourceArn: missing })),
      (error: Error) => error.name === 'ResourceNotFoundException',
    );
  });
});

const fixture = (name: string): IvsEvent =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

describe('DynamoStreamStore', () => {
  let store: DynamoStreamStore;
  before(() => {
    store = new DynamoStreamStore(documentClient(), emulator.resources.tableName);
  });

  const channel = (streamId: string, ownerId: string): StoredChannel => ({
    streamId,
    channelArn: `arn:aws:ivs:us-east-1:123456789012:channel/${streamId}`,
    ownerId,
    title: 'Show',
    tags: [],
    visibility: 'public',
    playbackUrl: 'https://example/x.m3u8',
    ingestEndpoint: 'ingest.example',
    createdAt: '2026-11-21T00:00:00.000Z',
    updatedAt: '2026-11-21T00:00:00.000Z',
  });

  it('records one channel per creator, even when two first starts race', async () => {
    const [a, b] = await Promise.all([
      store.claimChannel(channel('RaceChannelA', 'user-race')),
      store.claimChannel(channel('RaceChannelB', 'user-race')),
    ]);
    assert.equal(a.streamId, b.streamId);
    assert.equal((await store.channelOfOwner('user-race'))?.streamId, a.streamId);
  });

  it('reaches the same facts whatever the order and repeats of the events', async () => {
    const events = [
      'ivs-stream-start.json',
      'ivs-stream-end.json',
      'ivs-recording-end.json',
      'ivs-stream-failure.json',
    ];
    let run = 0;
    const finals: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...events, ...events], { minLength: 8, maxLength: 8 }),
        async (order) => {
          run += 1;
          // A channel of its own per run, so runs do not see each other's facts.
          const channelArn = `arn:aws:ivs:us-west-2:123456789012:channel/Order${run}`;
          await Promise.all(
            order.map((name) => applyStreamEvent({ store }, { ...fixture(name), resources: [channelArn] })),
          );
          const newest = await store.newestStream(channelArn);
          assert.ok(newest);
          const { channelArn: _arn, ...facts } = newest;
          finals.push(JSON.stringify({ facts, session: { ...sessionOf(newest), channelArn: '' } }));
        },
      ),
      { numRuns: 8 },
    );
    assert.equal(new Set(finals).size, 1, finals.join('\n'));
  });

  it('lists a stream as live now until its end arrives, and refuses a cursor it did not hand out', async () => {
    const channelArn = 'arn:aws:ivs:us-west-2:123456789012:channel/LiveNowChan1';
    await store.claimChannel({ ...channel('LiveNowChan1', 'user-live'), channelArn });
    const start = { ...fixture('ivs-stream-start.json'), resources: [channelArn] };
    await applyStreamEvent({ store }, start);
    const live = await store.liveNow({ limit: 10 });
    await applyStreamEvent({ store }, { ...fixture('ivs-stream-end.json'), resources: [channelArn] });
    const after = await store.liveNow({ limit: 10 });

    assert.ok(live.items.some((entry) => entry.channel.streamId === 'LiveNowChan1'));
    assert.ok(!after.items.some((entry) => entry.channel.streamId === 'LiveNowChan1'));
    await assert.rejects(store.liveNow({ limit: 1, cursor: Buffer.from('{"pk":1}').toString('base64url') }), {
      name: 'InvalidCursorError',
    });
  });

  it("keeps the latest recording as the channel's latest, whatever order they end in", async () => {
    await store.claimChannel(channel('RecordingsChan', 'user-rec'));
    await store.setLatestRecording('RecordingsChan', 'video-new', '2026-11-21T12:00:00.000Z');
    await store.setLatestRecording('RecordingsChan', 'video-old', '2026-11-21T10:00:00.000Z');
    assert.equal((await store.channel('RecordingsChan'))?.latestRecordingVideoId, 'video-new');
  });
});

describe('the playback key in Secrets Manager', () => {
  it('is made once by the deploy-time key pair code (kept on a redeploy) and signs tokens IVS accepts for the channel', async () => {
    const secrets = new SecretsManagerClient(
      emulatorClientConfig({ endpoint: emulator.endpoint, region: emulator.resources.region }),
    );
    const { ARN } = await secrets.send(
      new CreateSecretCommand({ Name: `playback-${Date.now()}`, SecretString: 'placeholder' }),
    );
    assert.ok(ARN);

    const publicKey = await keyPairInSecret(secrets, ARN, 'EC-P384', false);
    const again = await keyPairInSecret(secrets, ARN, 'EC-P384', true);
    const token = await new SecretPlaybackTokenSigner(secrets, ARN).sign(
      'arn:aws:ivs:us-east-1:1:channel/abc',
      60,
    );
    secrets.destroy();

    assert.equal(again, publicKey, 'a second deploy keeps the key');
    assert.deepEqual(
      checkPlaybackToken(token, 'arn:aws:ivs:us-east-1:1:channel/abc', [importPlaybackPublicKey(publicKey)]),
      { ok: true },
    );
    assert.equal(
      checkPlaybackToken(token, 'arn:aws:ivs:us-east-1:1:channel/other', [importPlaybackPublicKey(publicKey)])
        .ok,
      false,
    );
  });
});
