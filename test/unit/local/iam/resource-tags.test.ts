/**
 * The local IAM gateway evaluates the live functions' tag-conditioned IVS grants for real: it adds each named
 * channel's tags to the request context (`aws:ResourceTag/<key>`), looked up for every request, and the tags a
 * CreateStreamKey sets (`aws:RequestTag/<key>`). The policies are the ones the CDK app synthesizes; the IVS
 * behind the gateway is a stand-in that records what reached it, and the tags come from a small in-memory lookup.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamKeyCommand,
  IvsClient,
  ListStreamKeysCommand,
  StopStreamCommand,
} from '@aws-sdk/client-ivs';
import { type RunningGateway, startIamGateway } from '../../../../local/iam/gateway.ts';
import { functionIdentity } from '../../../../local/iam/identities.ts';
import {
  type LocalResourceArns,
  localPolicy,
  synthesizedPolicies,
} from '../../../../local/iam/local-policies.ts';
import { hasLookedUpTags, withResourceTags } from '../../../../local/iam/resource-tags.ts';
import { type CapturedRequests, captureRequests } from './capture.ts';

const ACCOUNT = '123456789012';
const APPLICATION = 'skycast-local';
const channel = (id: string) => `arn:aws:ivs:us-east-1:${ACCOUNT}:channel/${id}`;
const OURS = channel('OursAbCd1234');
const THEIRS = channel('TheirsAbCd12');
const UNTAGGED = channel('UntaggedAbCd');

const resources: LocalResourceArns = {
  region: 'us-east-1',
  accountId: ACCOUNT,
  application: APPLICATION,
  tableName: 'catalog',
  bucketNames: {},
  userPoolId: 'us-east-1_pool',
  userPoolClientId: 'client',
  recordingConfigurationArn: `arn:aws:ivs:us-east-1:${ACCOUNT}:recording-configuration/Rec1`,
  livePlaybackKeySecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:live-AbCdEf`,
  playbackKeySecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:media-AbCdEf`,
  mediaConvertRoleArn: `arn:aws:iam::${ACCOUNT}:role/mediaconvert`,
  queueArns: {},
  scheduleGroupName: APPLICATION,
  schedulerRoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
};

/** What the IVS knows: our channel, another application's in the same account, and one without tags. */
const tags = new Map<string, Record<string, string>>([
  [OURS, { application: APPLICATION }],
  [THEIRS, { application: 'someone-else' }],
  [UNTAGGED, {}],
]);
const lookedUp: string[] = [];
const lookup = async (arn: string) => {
  lookedUp.push(arn);
  return tags.get(arn);
};

describe('the local IAM gateway and resource tags', () => {
  let ivs: CapturedRequests;
  let gateway: RunningGateway;
  const clients: IvsClient[] = [];
  /** An IVS client of one live function, signing with its own credentials, through the gateway. */
  const clientOf = (functionName: string, identity: { accessKeyId: string; secretAccessKey: string }) => {
    const client = new IvsClient({
      endpoint: gateway.endpoint,
      region: 'us-east-1',
      credentials: identity,
      maxAttempts: 1,
    });
    clients.push(client);
    return { functionName, client };
  };
  let endStream: ReturnType<typeof clientOf>;
  let getStreamKey: ReturnType<typeof clientOf>;

  before(async () => {
    const synthesized = await synthesizedPolicies();
    const identityOf = (key: string, name: string) =>
      functionIdentity(name, localPolicy(synthesized.functions[key] ?? [], resources), ACCOUNT);
    const identities = [
      identityOf('route:endStream', 'skycast-endStream'),
      identityOf('route:getStreamKey', 'skycast-getStreamKey'),
    ];
    ivs = await captureRequests();
    gateway = await startIamGateway({
      upstreams: { default: ivs.endpoint },
      scope: { region: 'us-east-1', accountId: ACCOUNT },
      identities,
      resourceTags: lookup,
    });
    endStream = clientOf('skycast-endStream', identities[0]!);
    getStreamKey = clientOf('skycast-getStreamKey', identities[1]!);
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await gateway?.stop();
    await ivs?.close();
  });

  /** Sends the command; true when it reached the IVS, false when the gateway refused it with AccessDenied. */
  async function reaches(send: () => Promise<unknown>): Promise<boolean> {
    const before = ivs.requests.length;
    try {
      await send();
    } catch (error) {
      assert.equal((error as Error).name, 'AccessDeniedException', String(error));
      assert.equal(ivs.requests.length, before, 'a refused request never reaches the IVS');
      return false;
    }
    assert.equal(ivs.requests.length, before + 1);
    return true;
  }

  it("allows a live function on its application's channel and refuses another application's", async () => {
    const { client } = endStream;
    assert.equal(await reaches(() => client.send(new StopStreamCommand({ channelArn: OURS }))), true);
    assert.equal(await reaches(() => client.send(new StopStreamCommand({ channelArn: THEIRS }))), false);
    assert.equal(await reaches(() => client.send(new StopStreamCommand({ channelArn: UNTAGGED }))), false);
    const gone = channel('DeletedAbCd1');
    assert.equal(await reaches(() => client.send(new StopStreamCommand({ channelArn: gone }))), false);
    const denied = gateway.calls().get('skycast-endStream')?.denied ?? [];
    assert.deepEqual(
      denied.map((denial) => [denial.action, denial.resource]),
      [
        ['ivs:StopStream', THEIRS],
        ['ivs:StopStream', UNTAGGED],
        ['ivs:StopStream', gone],
      ],
    );
    assert.match(
      denied[0]!.message,
      /is not authorized to perform: ivs:StopStream on resource: arn:aws:ivs:/,
    );
  });

  it('reads the tags for every request, so a tag taken away counts at once', async () => {
    const { client } = getStreamKey;
    const moved = channel('MovedAbCd123');
    tags.set(moved, { application: APPLICATION });
    assert.equal(await reaches(() => client.send(new ListStreamKeysCommand({ channelArn: moved }))), true);
    tags.set(moved, { application: 'someone-else' });
    assert.equal(await reaches(() => client.send(new ListStreamKeysCommand({ channelArn: moved }))), false);
  });

  it('lets a stream key be created only with the application tag', async () => {
    const { client } = getStreamKey;
    const tagged = new CreateStreamKeyCommand({ channelArn: OURS, tags: { application: APPLICATION } });
    assert.equal(await reaches(() => client.send(tagged)), true);
    assert.equal(await reaches(() => client.send(new CreateStreamKeyCommand({ channelArn: OURS }))), false);
    const foreign = new CreateStreamKeyCommand({ channelArn: OURS, tags: { application: 'someone-else' } });
    assert.equal(await reaches(() => client.send(foreign)), false);
  });
});

describe('resource tags in the request context', () => {
  it('are looked up for IVS channels and stream keys named by their ARN, never for a pattern', async () => {
    assert.equal(hasLookedUpTags(OURS), true);
    assert.equal(hasLookedUpTags(`arn:aws:ivs:us-east-1:${ACCOUNT}:stream-key/KeyAbCd1234`), true);
    assert.equal(hasLookedUpTags(channel('*')), false);
    assert.equal(hasLookedUpTags(resources.recordingConfigurationArn), false);
    assert.equal(hasLookedUpTags(`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/catalog`), false);
  });

  it('add aws:ResourceTag/<key> next to the request keys, and nothing for a resource without tags', async () => {
    lookedUp.length = 0;
    const checks = await withResourceTags(
      [
        { action: 'ivs:GetChannel', resource: OURS },
        { action: 'ivs:UpdateChannel', resource: UNTAGGED, context: { 'aws:TagKeys': ['a'] } },
        {
          action: 'ivs:CreateChannel',
          resource: channel('*'),
          context: { 'aws:RequestTag/application': APPLICATION },
        },
      ],
      lookup,
    );
    assert.deepEqual(checks, [
      { action: 'ivs:GetChannel', resource: OURS, context: { 'aws:ResourceTag/application': APPLICATION } },
      { action: 'ivs:UpdateChannel', resource: UNTAGGED, context: { 'aws:TagKeys': ['a'] } },
      {
        action: 'ivs:CreateChannel',
        resource: channel('*'),
        context: { 'aws:RequestTag/application': APPLICATION },
      },
    ]);
    assert.deepEqual(lookedUp, [OURS, UNTAGGED]);
  });
});
