/**
 * The local IVS keeps real IVS's rules for stream keys, as the IVS SDK sees them: a channel holds at most one
 * key (CreateChannel makes it; a second CreateStreamKey is refused with ServiceQuotaExceededException, 402),
 * and a key that is gone answers ResourceNotFoundException (404) to GetStreamKey and DeleteStreamKey.
 * The live functions' handling of concurrent rotations relies on exactly these answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteStreamKeyCommand,
  GetStreamKeyCommand,
  IvsClient,
  ListStreamKeysCommand,
} from '@aws-sdk/client-ivs';
import { emulatorClientConfig } from '../../../local/emulator-clients.ts';
import { type RunningIvsEmulator, startIvsEmulator } from '../../../local/ivs/index.ts';

let local: RunningIvsEmulator;
let ivs: IvsClient;
before(async () => {
  local = await startIvsEmulator({
    // No recording happens here: S3 is never called.
    s3: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1' },
    publish: async () => {},
    accountId: '123456789012',
    rtmpPort: 0,
    playbackBaseUrl: 'http://127.0.0.1:9/ivs/playback',
  });
  ivs = new IvsClient(emulatorClientConfig({ endpoint: local.endpoint, region: 'us-east-1' }));
});
after(async () => {
  ivs?.destroy();
  await local?.stop();
});

const failsWith =
  (name: string, status: number) => (error: Error & { $metadata?: { httpStatusCode?: number } }) =>
    error.name === name && error.$metadata?.httpStatusCode === status;

describe('stream keys on the local IVS', () => {
  it('holds one key per channel, as IVS does, and a new one only after the old one is deleted', async () => {
    const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ name: 'one-key' }));
    const channelArn = channel?.arn as string;

    await assert.rejects(
      ivs.send(new CreateStreamKeyCommand({ channelArn })),
      failsWith('ServiceQuotaExceededException', 402),
    );
    await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey?.arn }));
    const { streamKey: next } = await ivs.send(new CreateStreamKeyCommand({ channelArn }));
    const { streamKeys } = await ivs.send(new ListStreamKeysCommand({ channelArn }));

    assert.deepEqual(
      streamKeys?.map((key) => key.arn),
      [next?.arn],
    );
    assert.notEqual(next?.value, streamKey?.value);
  });

  it('answers ResourceNotFoundException for a key that is gone', async () => {
    const { streamKey } = await ivs.send(new CreateChannelCommand({ name: 'gone-key' }));
    await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey?.arn }));

    await assert.rejects(
      ivs.send(new GetStreamKeyCommand({ arn: streamKey?.arn })),
      failsWith('ResourceNotFoundException', 404),
    );
    await assert.rejects(
      ivs.send(new DeleteStreamKeyCommand({ arn: streamKey?.arn })),
      failsWith('ResourceNotFoundException', 404),
    );
  });
});
