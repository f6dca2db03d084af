/**
 * EventBridge → function on the local platform: the job-state rule of the wiring table, created in moto with
 * this application's pattern, delivers matching events (and only those) to the function in EventBridge's
 * envelope; a failing invocation is retried after a pause, and an event that fails every attempt ends in the
 * rule's `failed` queue.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { eventRules } from '#contract/pipelines.ts';
import { createEventPublisher, type EventPublisher } from '../../../local/event-bus.ts';
import type { EventReport } from '../../../local/event-rule-target.ts';
import { LOCAL_ACCOUNT_ID } from '../../../local/lambda.ts';
import { emulatorClientConfig } from '../../../local/provision.ts';
import { invocations } from './fixtures/recording-handler.ts';
import {
  eventually,
  firstMessage,
  queueDepth,
  RECORDING_HANDLER,
  startTestbed,
  type Testbed,
} from './testbed.ts';

const jobStateRule = eventRules.find((rule) => rule.id === 'transcode-job-state');

type JobEvent = EventBridgeEvent<'MediaConvert Job State Change', Record<string, unknown>>;

/** A MediaConvert job state change as AWS documents it, for `application`'s job. */
function jobStateChange(application: string | undefined, extra: Record<string, unknown> = {}) {
  const jobId = `${Date.now()}-${randomUUID().slice(0, 6)}`;
  return {
    source: 'aws.mediaconvert',
    'detail-type': 'MediaConvert Job State Change',
    resources: [`arn:aws:mediaconvert:us-east-1:${LOCAL_ACCOUNT_ID}:jobs/${jobId}`],
    time: '2026-11-21T10:21:44Z',
    detail: {
      timestamp: 1795255304391,
      accountId: LOCAL_ACCOUNT_ID,
      queue: `arn:aws:mediaconvert:us-east-1:${LOCAL_ACCOUNT_ID}:queues/Default`,
      jobId,
      status: 'COMPLETE',
      userMetadata: application === undefined ? {} : { application, videoId: randomUUID() },
      ...extra,
    },
  };
}

const delivered = (jobId: string) =>
  (invocations as JobEvent[]).filter((event) => event.detail?.jobId === jobId);

describe('event rules on the local platform', () => {
  let bed: Testbed;
  let publisher: EventPublisher;
  const reports: EventReport[] = [];

  before(async () => {
    assert.ok(jobStateRule, 'the wiring table has the transcode-job-state rule');
    bed = await startTestbed({
      eventRules: [
        { ...jobStateRule, id: 'job-state', entry: RECORDING_HANDLER, functionTimeoutSeconds: 0.5 },
      ],
    });
    publisher = createEventPublisher(bed);
    await bed.startPollers(
      { eventRules: ['job-state'] },
      { retryDelaysSeconds: [1, 1], onEvent: (_rule, report) => reports.push(report) },
    );
  });
  after(async () => {
    publisher?.destroy();
    await bed?.stop();
  });

  it("creates the rule with the wiring table's pattern for this application", async () => {
    const events = new EventBridgeClient(emulatorClientConfig(bed));
    const rule = await events.send(new DescribeRuleCommand({ Name: bed.rule('job-state').name }));
    events.destroy();

    assert.equal(rule.State, 'ENABLED');
    assert.deepEqual(JSON.parse(rule.EventPattern ?? '{}'), {
      source: ['aws.mediaconvert'],
      'detail-type': ['MediaConvert Job State Change'],
      detail: { userMetadata: { application: [bed.resources.application] } },
    });
  });

  it("delivers this application's job events in EventBridge's envelope, and nobody else's", async () => {
    const otherApplication = jobStateChange('skycast-other');
    const noApplication = jobStateChange(undefined);
    const otherSource = { ...jobStateChange(bed.resources.application), source: 'skycast.test' };
    const ours = jobStateChange(bed.resources.application);
    for (const event of [otherApplication, noApplication, otherSource, ours]) await publisher.publish(event);

    const [event] = await eventually('our event delivered', () => {
      const events = delivered(ours.detail.jobId);
      return events.length > 0 ? events : undefined;
    });

    assert.ok(event);
    assert.deepEqual(Object.keys(event), [
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
    assert.equal(event.version, '0');
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.equal(event['detail-type'], 'MediaConvert Job State Change');
    assert.equal(event.source, 'aws.mediaconvert');
    assert.equal(event.account, LOCAL_ACCOUNT_ID);
    assert.equal(event.time, ours.time);
    assert.equal(event.region, bed.region);
    assert.deepEqual(event.resources, ours.resources);
    assert.deepEqual(event.detail, ours.detail);
    for (const other of [otherApplication, noApplication, otherSource]) {
      assert.deepEqual(
        delivered(other.detail.jobId),
        [],
        `${JSON.stringify(other.detail.userMetadata)} ${other.source}`,
      );
    }
    // They never reached the rule's queue at all: the pattern kept them out.
    await eventually('the target queue drained', async () => {
      const depth = await queueDepth(bed.sqs, bed.rule('job-state').target.url);
      return depth.visible === 0 && depth.inFlight === 0 ? true : undefined;
    });
    assert.deepEqual(delivered(otherApplication.detail.jobId), []);
  });

  it('tries an event again after a failed invocation', async () => {
    const event = jobStateChange(bed.resources.application, { behaviour: 'throw-once' });
    await publisher.publish(event);

    const attempts = await eventually('a second attempt', () => {
      const events = delivered(event.detail.jobId);
      return events.length >= 2 ? events : undefined;
    });
    const outcomes = await eventually('both attempts reported', () => {
      const forEvent = reports.filter((report) => report.id === attempts[0]?.id);
      return forEvent.length >= 2 ? forEvent : undefined;
    });

    assert.equal(attempts.length, 2);
    assert.equal(attempts[0]?.id, attempts[1]?.id, 'the same event, not a copy');
    assert.deepEqual(
      outcomes.map(({ attempt, outcome }) => ({ attempt, outcome })),
      [
        { attempt: 1, outcome: 'retrying' },
        { attempt: 2, outcome: 'succeeded' },
      ],
    );
  });

  it("moves an event that fails every attempt to the rule's failed queue after three attempts", async () => {
    const event = jobStateChange(bed.resources.application, { behaviour: 'throw' });
    await publisher.publish(event);

    const failed = await firstMessage(bed.sqs, bed.rule('job-state').failed.url);

    assert.equal(JSON.parse(failed.Body ?? '{}').detail.jobId, event.detail.jobId);
    const attempts = delivered(event.detail.jobId);
    assert.equal(attempts.length, 3);
    // The report of the last attempt may come a moment after the event reached the failed queue.
    const outcomes = await eventually('the last attempt reported', () => {
      const forEvent = reports.filter((report) => report.id === attempts[0]?.id);
      return forEvent.some((report) => report.outcome === 'gave up') ? forEvent : undefined;
    });
    assert.deepEqual(
      outcomes.map(({ attempt, outcome }) => ({ attempt, outcome })),
      [
        { attempt: 1, outcome: 'retrying' },
        { attempt: 2, outcome: 'retrying' },
        { attempt: 3, outcome: 'gave up' },
      ],
    );
  });
});
