import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { liveRecording } from '#contract/live-settings.ts';
import { eventRules } from '#contract/pipelines.ts';
import { routes } from '#contract/routes.ts';
import { defaultLiveDeps } from '../../lambdas/live/deps.ts';
import { applicationName } from '../../lib/shared/settings.ts';
import {
  actionsOf,
  type Cfn,
  describe$,
  logicalId,
  ref,
  resource,
  resourcesOfType,
  statementsOf,
  synthBothStages,
} from './support/synth.ts';

const { dev } = synthBothStages();
const dataTemplate = () => dev.templates[dev.data.stackName]!;
const fnOf = (operationId: string) => dev.service.api.functions[operationId]!;

/** `action on resource…` of a function's IVS grants, with the conditions written out. */
function ivsGrants(operationId: string): string[] {
  return statementsOf(dev, logicalId(fnOf(operationId).role!))
    .filter((statement: Cfn) => actionsOf(statement).some((action) => action.startsWith('ivs:')))
    .map((statement: Cfn) => {
      const resources = [statement.Resource]
        .flat()
        .map((r: unknown) => describe$(dev, r))
        .join(' ');
      const condition = statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : '';
      return `${actionsOf(statement).join(',')} on ${resources}${condition}`;
    });
}

describe('live in the CDK app', () => {
  it('records every channel to the recordings bucket with thumbnails and a reconnect window', () => {
    const [configuration, ...others] = Object.values(
      resourcesOfType(dataTemplate(), 'AWS::IVS::RecordingConfiguration'),
    );
    assert.equal(others.length, 0);
    const properties = configuration!.Properties;
    assert.deepEqual(properties.DestinationConfiguration.S3.BucketName, {
      Ref: logicalId(dev.data.storage.buckets.recordings),
    });
    assert.equal(properties.ThumbnailConfiguration.RecordingMode, 'INTERVAL');
    assert.equal(
      properties.ThumbnailConfiguration.TargetIntervalSeconds,
      liveRecording.thumbnailIntervalSeconds,
    );
    assert.equal(properties.RecordingReconnectWindowSeconds, liveRecording.reconnectWindowSeconds);
  });

  it('imports a playback public key made at deploy, whose private key stays in Secrets Manager', () => {
    const [pair] = Object.values(resourcesOfType(dataTemplate(), 'AWS::IVS::PlaybackKeyPair'));
    const material = pair!.Properties.PublicKeyMaterial;
    assert.deepEqual(material['Fn::GetAtt'][1], 'PublicKey');
    const maker = dataTemplate().Resources[material['Fn::GetAtt'][0]]!;
    assert.equal(maker.Type, 'Custom::SkycastKeyPair');
    assert.deepEqual(maker.Properties.SecretId, { Ref: logicalId(dev.data.live.playbackKeySecret) });
    assert.equal(maker.Properties.Algorithm, 'EC-P384', 'IVS verifies ES384 tokens');
    assert.doesNotMatch(JSON.stringify(dev.templates), /PRIVATE KEY/);
  });

  it('routes the IVS state and recording events of this stage to their handlers', () => {
    for (const id of ['live-stream-state', 'live-recording-end']) {
      const pattern = eventRules.find((rule) => rule.id === id)!.pattern(applicationName('dev'));
      const rules = Object.values(
        resourcesOfType(dev.templates[dev.service.stackName]!, 'AWS::Events::Rule'),
      );
      // Key order is the template's own; the patterns must be equal as values.
      const rule = rules.find((candidate) => isDeepStrictEqual(candidate.Properties.EventPattern, pattern));
      assert.ok(rule, `a rule with the pattern of ${id}`);
      assert.deepEqual(rule.Properties.EventPattern.source, ['aws.ivs']);
      assert.deepEqual(rule.Properties.EventPattern.detail.channel_name, [{ prefix: 'skycast-dev-' }]);
    }
  });

  it('gives each live function only the IVS actions it calls, on channels and stream keys', () => {
    const account = `arn:${ref('AWS::Partition')}:ivs:${ref('AWS::Region')}:${ref('AWS::AccountId')}`;
    const channels = `${account}:channel/*`;
    const keys = `${account}:stream-key/*`;
    const tagged = (key: 'ResourceTag' | 'RequestTag') =>
      ` if {"StringEquals":{"aws:${key}/application":"skycast-dev"}}`;
    assert.deepEqual(ivsGrants('endStream'), [`ivs:StopStream on ${channels}${tagged('ResourceTag')}`]);
    assert.deepEqual(ivsGrants('getStreamKey'), [
      `ivs:CreateStreamKey,ivs:ListStreamKeys on ${channels}${tagged('ResourceTag')}`,
      `ivs:CreateStreamKey on ${keys}${tagged('RequestTag')}`,
      `ivs:GetStreamKey on ${keys}`,
    ]);
    const creates = ivsGrants('startStream').filter((grant) =>
      grant.split(' ')[0]!.split(',').includes('ivs:CreateChannel'),
    );
    const create = creates.find((grant) => grant.includes(channels));
    assert.ok(create?.includes('"aws:RequestTag/application":"skycast-dev"'), create);
    assert.equal(create, `ivs:CreateChannel on ${channels} ${keys}${tagged('RequestTag')}`);
    assert.ok(
      creates.some((grant) => grant.includes(ref(`${logicalId(dev.data.live.recordingConfiguration)}.Arn`))),
      creates.join('\n'),
    );
    assert.ok(
      !ivsGrants('watchStream').some((grant) => /StreamKey|StopStream|Channel/.test(grant.split(' ')[0]!)),
    );
  });

  it("lets the live functions act on this application's channels only, by their tag", () => {
    const account = `arn:${ref('AWS::Partition')}:ivs:${ref('AWS::Region')}:${ref('AWS::AccountId')}`;
    const channels = `${account}:channel/*`;
    const live = ['startStream', 'getStreamKey', 'rotateStreamKey', 'endStream', 'watchStream'];
    const onChannels = live.flatMap(ivsGrants).filter((grant) => grant.includes(channels));
    assert.ok(onChannels.length >= live.length, onChannels.join('\n'));
    for (const grant of onChannels) {
      // Creating a channel asks for the tag the request sets; every other action, for the channel's own.
      const key = grant.startsWith('ivs:CreateChannel ') ? 'RequestTag' : 'ResourceTag';
      assert.ok(grant.endsWith(` if {"StringEquals":{"aws:${key}/application":"skycast-dev"}}`), grant);
    }
    const startStream = ivsGrants('startStream').find((grant) => grant.includes('ivs:GetChannel'));
    assert.ok(startStream?.includes('aws:ResourceTag/application'), startStream);
    // A key our functions create carries the tag too; the key IVS makes with a channel may not (see access.ts).
    const rotate = ivsGrants('rotateStreamKey');
    assert.ok(
      rotate.some((grant) => grant.startsWith('ivs:CreateStreamKey on ') && grant.includes('RequestTag')),
    );
  });

  it('lets only the functions that sign playback tokens read the playback key', () => {
    // The media signing key (CloudFront cookies) is another secret, read by the routes that sign cookies.
    const liveKey = logicalId(dev.data.live.playbackKeySecret);
    const readers = routes
      .filter((route) =>
        statementsOf(dev, logicalId(fnOf(route.operation.operationId).role!)).some(
          (statement: Cfn) =>
            actionsOf(statement).includes('secretsmanager:GetSecretValue') &&
            JSON.stringify(statement.Resource).includes(liveKey),
        ),
      )
      .map((route) => route.operation.operationId)
      .sort();
    assert.deepEqual(readers, ['startStream', 'watchStream']);
  });

  it('passes every live function what its handler requires at start', () => {
    for (const operationId of [
      'startStream',
      'getStreamKey',
      'rotateStreamKey',
      'endStream',
      'watchStream',
      'listStreams',
    ]) {
      const fn = resource(dev, logicalId(fnOf(operationId)));
      const environment = Object.fromEntries(
        Object.entries(fn.Properties.Environment.Variables).map(([name, value]) => [
          name,
          describe$(dev, value),
        ]),
      );
      assert.doesNotThrow(() => defaultLiveDeps(environment), operationId);
    }
  });
});
