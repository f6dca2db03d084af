/**
 * getStreamKey and rotateStreamKey at the same time, through the real handlers, against the local IVS (which
 * keeps IVS's quota of one stream key per channel) and moto: no request fails with a 5xx, every key handed
 * out is a real key of the channel, and the channel ends with exactly one key, the one a last read returns.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateRecordingConfigurationCommand,
  GetStreamKeyCommand,
  IvsClient,
  ListStreamKeysCommand,
} from '@aws-sdk/client-ivs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '../../../lambdas/contract/environment.ts';
import { defaultLiveDeps } from '../../../lambdas/live/deps.ts';
import { IvsLiveChannels } from '../../../lambdas/live/ivs-channels.ts';
import { keyPairInSecret } from '../../../lambdas/shared/key-pair.ts';
import { defaultQuotaDeps } from '../../../lambdas/shared/quota-store.ts';
import { emulatorClientConfig } from '../../../local/emulator-clients.ts';
import { type RunningIvsEmulator, startIvsEmulator } from '../../../local/ivs/index.ts';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.ts';
import { userIdTokens } from '../../support/http-deps.ts';
import { type ApiRequest, apiEvent, type Handler, lambdaContext } from '../../support/lambda.ts';

const PAIRS = 15;

/**
 * Invokes an HTTP handler as Lambda would with a minute left: here all the invocations share one process on a
 * loaded machine, where in AWS each has its own, so the 10 s that `invoke` gives them can run out.
 */
async function invoke(handler: Handler, request: ApiRequest) {
  const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 60_000 };
  const result = (await handler(apiEvent(request), context, { signal: new AbortController().signal })) as {
    statusCode?: number;
    body?: string;
  };
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
}

let emulator: TestEmulator;
let local: RunningIvsEmulator;
let ivs: IvsClient;
before(async () => {
  emulator = await startTestEmulator();
  local = await startIvsEmulator({
    s3: { endpoint: emulator.endpoint, region: emulator.resources.region },
    publish: async () => {},
    accountId: '123456789012',
    rtmpPort: 0,
    playbackBaseUrl: 'http://127.0.0.1:9/ivs/playback',
  });
  ivs = new IvsClient(emulatorClientConfig({ endpoint: local.endpoint, region: emulator.resources.region }));
});
after(async () => {
  ivs?.destroy();
  await local?.stop();
  await emulator?.stop();
});

describe('getStreamKey and rotateStreamKey side by side', () => {
  it(`answers ${PAIRS} concurrent reads and rotations without a 5xx and ends with one valid key`, async (t) => {
    const secrets = new SecretsManagerClient(
      emulatorClientConfig({ endpoint: emulator.endpoint, region: emulator.resources.region }),
    );
    const { ARN: keySecret } = await secrets.send(
      new CreateSecretCommand({ Name: `playback-${randomUUID()}`, SecretString: 'placeholder' }),
    );
    await keyPairInSecret(secrets, keySecret as string, 'EC-P384', false);
    secrets.destroy();
    const { recordingConfiguration } = await ivs.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: emulator.resources.bucketNames.recordings } },
      }),
    );
    const recordingConfigurationArn = recordingConfiguration?.arn as string;
    // What the live functions get as their environment from the deployment (the handler modules read it when they load).
    Object.assign(process.env, {
      [ENV.application]: 'skycast-it',
      [ENV.recordingConfigurationArn]: recordingConfigurationArn,
      [ENV.liveKeySecret]: keySecret,
      [ENV.ingestUrlTemplate]: 'rtmps://{ingestEndpoint}:443/app/',
    });
    const base = defaultLiveDeps();
    const channels = new IvsLiveChannels(ivs, { recordingConfigurationArn, application: 'skycast-it' });
    const deps = { ...userIdTokens, ...base, ...defaultQuotaDeps(), channels };
    // The handler modules read their environment when they load: after the emulator set it.
    const start = (await import('../../../lambdas/live/start-stream.ts')).createHandler(deps);
    const getKey = (await import('../../../lambdas/live/get-stream-key.ts')).createHandler(deps);
    const rotate = (await import('../../../lambdas/live/rotate-stream-key.ts')).createHandler(deps);
    const started = await invoke(start, {
      method: 'POST',
      path: '/streams',
      routeKey: 'POST /streams',
      token: 'user-rotator',
      body: { title: 'Rotations' },
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const streamId: string = started.body.stream.streamId;
    const request = (method: 'GET' | 'POST') => ({
      method,
      path: `/streams/${streamId}/key`,
      routeKey: `${method} /streams/{streamId}/key`,
      token: 'user-rotator',
      pathParameters: { streamId },
    });

    const answers = await Promise.all(
      Array.from({ length: PAIRS }, () => [
        invoke(getKey, request('GET')).then((answer) => ({ kind: 'get', ...answer })),
        invoke(rotate, request('POST')).then((answer) => ({ kind: 'rotate', ...answer })),
        invoke(getKey, request('GET')).then((answer) => ({ kind: 'get', ...answer })),
      ]).flat(),
    );
    const last = await invoke(getKey, request('GET'));

    const failures = answers.filter((answer) => (answer.status ?? 500) >= 500);
    assert.deepEqual(failures, [], 'no 5xx');
    for (const answer of answers.filter((each) => each.status !== 200)) {
      assert.equal(answer.status, 409, JSON.stringify(answer));
      assert.equal(answer.body.code, 'STREAM_KEY_CHANGING');
    }
    t.diagnostic(
      `${answers.filter((answer) => answer.status === 409).length} of ${answers.length} answered 409`,
    );
    const handedOut = answers
      .filter((answer) => answer.status === 200)
      .map((answer) => answer.body.ingest.streamKey as string);
    for (const key of handedOut) assert.match(key, /^sk_us-east-1_/);
    const rotations = answers.filter((answer) => answer.kind === 'rotate' && answer.status === 200);
    assert.ok(rotations.length > 0, 'some rotations went through');

    const channelArn = (await base.store.channel(streamId))?.channelArn;
    const { streamKeys } = await ivs.send(new ListStreamKeysCommand({ channelArn }));
    assert.equal(streamKeys?.length, 1, 'the channel has exactly one key');
    const { streamKey } = await ivs.send(new GetStreamKeyCommand({ arn: streamKeys?.[0]?.arn }));
    assert.equal(last.status, 200);
    assert.equal(last.body.ingest.streamKey, streamKey?.value, 'a read after the rotations returns that key');
    assert.ok(handedOut.includes(streamKey?.value as string), 'the key left is one a request handed out');
    assert.notEqual(streamKey?.value, started.body.ingest.streamKey, 'the first key is revoked');
  });
});
