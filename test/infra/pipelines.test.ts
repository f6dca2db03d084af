import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENV } from '#contract/environment.ts';
import { UPLOADS_PREFIX, uploadKey, VIDEOS_PREFIX, videoPlaylistKey } from '#contract/media-layout.ts';
import { eventRules, queues, visibilityTimeoutSeconds } from '#contract/pipelines.ts';
import type { buckets } from '#contract/resources.ts';
import { defaultRecordingEventDeps, defaultStreamEventDeps } from '../../lambdas/live/deps.ts';
import { defaultJobEventDeps, defaultSubmitDeps } from '../../lambdas/transcoding/deps.ts';
import { DEFAULT_EVENT_DELIVERY } from '../../lib/pipelines/event-rule-pipeline.ts';
import { applicationName } from '../../lib/shared/settings.ts';
import {
  actionsOf,
  type Cfn,
  describe$,
  describeExpression,
  logicalId,
  ref,
  resource,
  resourcesOfType,
  type SynthesizedSkycast,
  serviceOf,
  statementsOf,
  synthBothStages,
} from './support/synth.ts';

const { dev, prod } = synthBothStages();

/**
 * A role's grants of one service as `action on resource` lines, sorted: IAM policy minimization may merge or
 * split statements, what is allowed on what stays the same.
 */
function grantsOf(synth: SynthesizedSkycast, roleId: string, service: string): string[] {
  return statementsOf(synth, roleId)
    .flatMap((statement) =>
      actionsOf(statement)
        .filter((action) => action.startsWith(`${service}:`))
        .flatMap((action) =>
          [statement.Resource].flat().map((r) => `${action} on ${describeExpression(r, synth.templates)}`),
        ),
    )
    .sort();
}
const resourcesOf = (synth: SynthesizedSkycast, statement: Cfn): string[] =>
  [statement.Resource].flat().map((r) => describe$(synth, r));

/** What the data stack's resources look like from the service stack, as `${LogicalId}`. */
const data = (synth: SynthesizedSkycast) => ({
  table: logicalId(synth.data.catalog.table),
  uploads: logicalId(synth.data.storage.buckets.uploads),
  media: logicalId(synth.data.storage.buckets.media),
});

/** The statements that deny every SQS action without TLS, as `enforceSSL` writes them. */
function denyWithoutTls(synth: SynthesizedSkycast, queueId: string): Cfn[] {
  const policies = Object.values(resourcesOfType(serviceOf(synth), 'AWS::SQS::QueuePolicy')).filter(
    (policy) => policy.Properties.Queues.some((queue: Cfn) => queue.Ref === queueId),
  );
  return policies
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter(
      (statement: Cfn) =>
        statement.Effect === 'Deny' &&
        statement.Action === 'sqs:*' &&
        statement.Principal?.AWS === '*' &&
        statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
    );
}

function queuePolicyStatements(synth: SynthesizedSkycast, queueId: string): Cfn[] {
  return Object.values(resourcesOfType(serviceOf(synth), 'AWS::SQS::QueuePolicy'))
    .filter((policy) => policy.Properties.Queues.some((queue: Cfn) => queue.Ref === queueId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** A function's environment, with cross-stack and in-stack references written as `${Logical…}`. */
function environmentOf(synth: SynthesizedSkycast, functionId: string): Record<string, string> {
  const variables = resource(synth, functionId).Properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, describe$(synth, value)]),
  );
}

describe('queue pipelines (the queues table)', () => {
  for (const definition of queues) {
    const pipeline = () => dev.service.pipelines.queues[definition.id]!;
    const ids = () => ({
      queue: logicalId(pipeline().queue),
      deadLetters: logicalId(pipeline().deadLetters.queue),
      fn: logicalId(pipeline().function),
      role: logicalId(pipeline().function.role!),
    });

    describe(definition.id, () => {
      it('keeps a message invisible for six times the function timeout (plus the batching window)', () => {
        const queue = resource(dev, ids().queue).Properties;
        const fn = resource(dev, ids().fn).Properties;
        assert.equal(fn.Timeout, definition.functionTimeoutSeconds);
        assert.equal(queue.VisibilityTimeout, visibilityTimeoutSeconds(definition));
        assert.equal(queue.VisibilityTimeout, 6 * fn.Timeout + definition.maxBatchingWindowSeconds);
      });

      it('moves a message to its dead-letter queue after maxReceiveCount deliveries', () => {
        assert.deepEqual(resource(dev, ids().queue).Properties.RedrivePolicy, {
          deadLetterTargetArn: { 'Fn::GetAtt': [ids().deadLetters, 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        });
        const deadLetters = resource(dev, ids().deadLetters).Properties;
        assert.equal(deadLetters.MessageRetentionPeriod, 14 * 24 * 60 * 60);
        assert.equal(deadLetters.RedrivePolicy, undefined);
      });

      it('encrypts both queues at rest (SSE-SQS) and refuses every request without TLS', () => {
        for (const queueId of [ids().queue, ids().deadLetters]) {
          assert.equal(resource(dev, queueId).Properties.SqsManagedSseEnabled, true, queueId);
          assert.equal(denyWithoutTls(dev, queueId).length, 1, `${queueId} is TLS-only`);
        }
      });

      it('raises an alarm as soon as a dead letter waits', () => {
        const alarms = Object.values(resourcesOfType(serviceOf(dev), 'AWS::CloudWatch::Alarm')).filter(
          (alarm) =>
            alarm.Properties.Dimensions?.some(
              (dimension: Cfn) => describe$(dev, dimension.Value) === ref(`${ids().deadLetters}.QueueName`),
            ),
        );
        assert.equal(alarms.length, 1);
        const alarm = alarms[0]!.Properties;
        assert.equal(alarm.Namespace, 'AWS/SQS');
        assert.equal(alarm.MetricName, 'ApproximateNumberOfMessagesVisible');
        assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
        assert.equal(alarm.Threshold, 0);
        assert.equal(alarm.TreatMissingData, 'notBreaching');
      });

      it('feeds the function in batches and lets it report the messages that failed', () => {
        const mappings = Object.values(
          resourcesOfType(serviceOf(dev), 'AWS::Lambda::EventSourceMapping'),
        ).filter(
          (mapping) => describe$(dev, mapping.Properties.EventSourceArn) === ref(`${ids().queue}.Arn`),
        );
        assert.equal(mappings.length, 1);
        const mapping = mappings[0]!.Properties;
        assert.deepEqual(mapping.FunctionName, { Ref: ids().fn });
        assert.equal(mapping.BatchSize, definition.batchSize);
        assert.deepEqual(mapping.ScalingConfig, { MaximumConcurrency: definition.maxConcurrency });
        assert.equal(mapping.MaximumBatchingWindowInSeconds, definition.maxBatchingWindowSeconds);
        assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
      });

      if (definition.s3Source) {
        const source = definition.s3Source;
        it(`is fed by S3 from the ${source.bucket} bucket, for ${source.events.join(', ')} under ${source.prefix}`, () => {
          const notifications = Object.values(
            resourcesOfType(serviceOf(dev), 'Custom::S3BucketNotifications'),
          );
          const forBucket = notifications.filter(
            (n) =>
              describe$(dev, n.Properties.BucketName) ===
              ref(logicalId(dev.data.storage.buckets[source.bucket])),
          );
          assert.equal(forBucket.length, 1);
          const notification = forBucket[0]!;
          // The bucket lives in the data stack: only this stack's notifications are added and removed.
          assert.equal(notification.Properties.Managed, false);
          const configurations = notification.Properties.NotificationConfiguration.QueueConfigurations.filter(
            (configuration: Cfn) => describe$(dev, configuration.QueueArn) === ref(`${ids().queue}.Arn`),
          );
          assert.deepEqual(
            configurations.map((configuration: Cfn) => ({ ...configuration, QueueArn: undefined })),
            source.events.map((event) => ({
              Events: [event],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: source.prefix }] } },
              QueueArn: undefined,
            })),
          );
          // S3 tests its permission when the configuration is put, so the queue policy must exist first.
          const policyIds = Object.entries(resourcesOfType(serviceOf(dev), 'AWS::SQS::QueuePolicy'))
            .filter(([, policy]) => policy.Properties.Queues.some((q: Cfn) => q.Ref === ids().queue))
            .map(([id]) => id);
          assert.ok(policyIds.every((id) => notification.DependsOn?.includes(id)));
        });

        it('lets only that bucket of this account send to the queue, and only SendMessage', () => {
          const allows = queuePolicyStatements(dev, ids().queue).filter((s: Cfn) => s.Effect === 'Allow');
          assert.deepEqual(
            allows.map((statement: Cfn) => ({
              principal: statement.Principal,
              actions: actionsOf(statement),
              resources: resourcesOf(dev, statement),
              sourceArn: describe$(dev, statement.Condition.ArnEquals['aws:SourceArn']),
              sourceAccount: describe$(dev, statement.Condition.StringEquals['aws:SourceAccount']),
            })),
            [
              {
                principal: { Service: 's3.amazonaws.com' },
                actions: ['sqs:SendMessage'],
                resources: [ref(`${ids().queue}.Arn`)],
                sourceArn: ref(`${logicalId(dev.data.storage.buckets[source.bucket])}.Arn`),
                sourceAccount: ref('AWS::AccountId'),
              },
            ],
          );
        });
      }

      it('runs the handler of the table with its timeout, as the house function', () => {
        const fn = resource(dev, ids().fn).Properties;
        assert.equal(fn.Runtime, 'nodejs24.x');
        assert.deepEqual(fn.Architectures, ['arm64']);
        assert.deepEqual(fn.TracingConfig, { Mode: 'Active' });
        assert.equal(fn.Timeout, definition.functionTimeoutSeconds);
        assert.match(fn.Description, new RegExp(`^${definition.id}: `));
        assert.equal(resource(dev, ids().role).Properties.Description, `Runs ${definition.entry}`);
      });
    });
  }
});

describe('transcode-submissions (the submit function)', () => {
  const pipeline = (synth: SynthesizedSkycast) => synth.service.pipelines.queues['transcode-submissions']!;
  const fnId = (synth: SynthesizedSkycast) => logicalId(pipeline(synth).function);
  const roleId = (synth: SynthesizedSkycast) => logicalId(pipeline(synth).function.role!);
  const mediaConvertRoleId = (synth: SynthesizedSkycast) => logicalId(synth.service.mediaConvertRole.role);

  it('receives the application name, catalog, buckets and MediaConvert role its handler requires at start', () => {
    const environment = environmentOf(dev, fnId(dev));
    const { table, uploads, media } = data(dev);
    assert.deepEqual(environment, {
      POWERTOOLS_SERVICE_NAME: 'skycast-transcoding',
      NODE_OPTIONS: '--enable-source-maps',
      APPLICATION_NAME: 'skycast-dev',
      CATALOG_TABLE_NAME: ref(table),
      [ENV.buckets.uploads]: ref(uploads),
      [ENV.buckets.media]: ref(media),
      MEDIACONVERT_ROLE_ARN: ref(`${mediaConvertRoleId(dev)}.Arn`),
    });
    // The handler's own configuration check passes with exactly these variables.
    assert.doesNotThrow(() => defaultSubmitDeps(environment));
  });

  it('may create jobs on the default queue only, probe sources, and pass the MediaConvert role to MediaConvert only', () => {
    const statements = statementsOf(dev, roleId(dev)).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('mediaconvert:') || a.startsWith('iam:')),
    );
    assert.deepEqual(
      statements.map((statement) => ({
        actions: actionsOf(statement),
        resources: resourcesOf(dev, statement),
        condition: statement.Condition,
      })),
      [
        {
          actions: ['mediaconvert:CreateJob'],
          resources: [
            `arn:${ref('AWS::Partition')}:mediaconvert:${ref('AWS::Region')}:${ref('AWS::AccountId')}:queues/Default`,
          ],
          condition: undefined,
        },
        { actions: ['mediaconvert:Probe'], resources: ['*'], condition: undefined },
        {
          actions: ['iam:PassRole'],
          resources: [ref(`${mediaConvertRoleId(dev)}.Arn`)],
          condition: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
        },
      ],
    );
  });

  it('reads the uploads bucket, consumes its queue and writes the catalog, and nothing else', () => {
    const { table, uploads } = data(dev);
    const statements = statementsOf(dev, roleId(dev));
    assert.deepEqual(grantsOf(dev, roleId(dev), 's3'), [
      `s3:GetObject on ${ref(`${uploads}.Arn`)}/uploads/*`,
      `s3:ListBucket on ${ref(`${uploads}.Arn`)}`,
    ]);
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    assert.deepEqual(
      sqs.map((s) => resourcesOf(dev, s)),
      [[ref(`${logicalId(pipeline(dev).queue)}.Arn`)]],
    );
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    assert.deepEqual([...new Set(dynamo.flatMap((s) => resourcesOf(dev, s)))].sort(), [
      ref(`${table}.Arn`),
      `${ref(`${table}.Arn`)}/index/*`,
    ]);
    const services = new Set(statements.flatMap(actionsOf).map((action) => action.split(':')[0]));
    assert.deepEqual([...services].sort(), ['dynamodb', 'iam', 'logs', 'mediaconvert', 's3', 'sqs', 'xray']);
  });

  it('is the only function that may pass the MediaConvert role', () => {
    const passRole = Object.values(resourcesOfType(serviceOf(dev), 'AWS::IAM::Policy')).filter((policy) =>
      policy.Properties.PolicyDocument.Statement.some(
        (s: Cfn) =>
          actionsOf(s).includes('iam:PassRole') &&
          s.Condition?.StringEquals?.['iam:PassedToService'] === 'mediaconvert.amazonaws.com',
      ),
    );
    assert.deepEqual(
      passRole.map((policy) => policy.Properties.Roles),
      [[{ Ref: roleId(dev) }]],
    );
  });
});

describe('the MediaConvert role', () => {
  const roleId = (synth: SynthesizedSkycast) => logicalId(synth.service.mediaConvertRole.role);

  it('can be assumed by MediaConvert only, and has no managed policy', () => {
    const role = resource(dev, roleId(dev)).Properties;
    assert.deepEqual(role.AssumeRolePolicyDocument.Statement, [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'mediaconvert.amazonaws.com' } },
    ]);
    assert.equal(role.ManagedPolicyArns, undefined);
    assert.equal(role.Policies, undefined);
  });

  it('reads originals under uploads/ and writes under videos/ in the media bucket: nothing more', () => {
    const { uploads, media } = data(dev);
    assert.deepEqual(
      statementsOf(dev, roleId(dev)).map((statement) => ({
        effect: statement.Effect,
        actions: actionsOf(statement),
        resources: resourcesOf(dev, statement),
        condition: statement.Condition,
      })),
      [
        {
          effect: 'Allow',
          actions: ['s3:GetObject'],
          resources: [`${ref(`${uploads}.Arn`)}/${UPLOADS_PREFIX}*`],
          condition: undefined,
        },
        {
          effect: 'Allow',
          actions: ['s3:PutObject'],
          resources: [`${ref(`${media}.Arn`)}/${VIDEOS_PREFIX}*`],
          condition: undefined,
        },
      ],
    );
  });

  it('covers the keys the handlers actually use: uploaded originals in, job outputs out', () => {
    assert.ok(uploadKey('owner-1', 'video-1', 'holiday.mp4').startsWith(UPLOADS_PREFIX));
    assert.ok(videoPlaylistKey('video-1').startsWith(VIDEOS_PREFIX));
    // What notifies the pipeline is what MediaConvert may read.
    assert.equal(queues.find((queue) => queue.access.mediaConvert)?.s3Source?.prefix, UPLOADS_PREFIX);
  });

  it('asks for no wildcard action, and neither do the pipeline functions', () => {
    const roles = [
      roleId(dev),
      ...Object.values(dev.service.pipelines.queues).map((p) => logicalId(p.function.role!)),
      ...Object.values(dev.service.pipelines.eventRules).map((p) => logicalId(p.function.role!)),
    ];
    for (const role of roles) {
      const wildcards = statementsOf(dev, role)
        .flatMap(actionsOf)
        .filter((action) => action.includes('*'));
      assert.deepEqual(wildcards, [], role);
    }
  });
});

describe('event-rule pipelines (the eventRules table)', () => {
  for (const definition of eventRules) {
    const pipeline = (synth: SynthesizedSkycast) => synth.service.pipelines.eventRules[definition.id]!;
    const ids = (synth: SynthesizedSkycast) => ({
      rule: logicalId(pipeline(synth).rule),
      fn: logicalId(pipeline(synth).function),
      role: logicalId(pipeline(synth).function.role!),
      deadLetters: logicalId(pipeline(synth).deadLetters.queue),
    });

    describe(definition.id, () => {
      it("matches the table's pattern for this stage's application name, on the default bus", () => {
        for (const synth of [dev, prod]) {
          const rule = resource(synth, ids(synth).rule).Properties;
          const application = applicationName(synth.settings.stage);
          assert.deepEqual(rule.EventPattern, definition.pattern(application));
          assert.equal(rule.EventBusName, undefined);
          assert.equal(rule.State, 'ENABLED');
          // The same name the submit function stamps on its jobs.
          const submit = synth.service.pipelines.queues['transcode-submissions']!;
          assert.equal(environmentOf(synth, logicalId(submit.function)).APPLICATION_NAME, application);
          assert.equal(environmentOf(synth, ids(synth).fn).APPLICATION_NAME, application);
        }
      });

      it('invokes the function, retrying delivery and keeping what it cannot deliver in a dead-letter queue', () => {
        const { rule, fn, deadLetters } = ids(dev);
        const targets = resource(dev, rule).Properties.Targets;
        assert.equal(targets.length, 1);
        assert.equal(describe$(dev, targets[0].Arn), ref(`${fn}.Arn`));
        assert.equal(describe$(dev, targets[0].DeadLetterConfig.Arn), ref(`${deadLetters}.Arn`));
        assert.deepEqual(targets[0].RetryPolicy, {
          MaximumRetryAttempts: DEFAULT_EVENT_DELIVERY.retryAttempts,
          MaximumEventAgeInSeconds: DEFAULT_EVENT_DELIVERY.maxEventAge.toSeconds(),
        });
        const permissions = Object.values(resourcesOfType(serviceOf(dev), 'AWS::Lambda::Permission')).filter(
          (permission) => describe$(dev, permission.Properties.FunctionName) === ref(`${fn}.Arn`),
        );
        assert.deepEqual(
          permissions.map((p) => [p.Properties.Principal, describe$(dev, p.Properties.SourceArn)]),
          [['events.amazonaws.com', ref(`${rule}.Arn`)]],
        );
      });

      it('sends events the function still fails on after its retries to the same dead-letter queue', () => {
        const { fn, role, deadLetters } = ids(dev);
        assert.deepEqual(resource(dev, fn).Properties.DeadLetterConfig, {
          TargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
        });
        const sends = statementsOf(dev, role).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
        assert.deepEqual(
          sends.map((s) => resourcesOf(dev, s)),
          [[ref(`${deadLetters}.Arn`)]],
        );
      });

      it('lets only this rule put events into the dead-letter queue, which is encrypted, TLS-only and kept 14 days', () => {
        const { rule, deadLetters } = ids(dev);
        const queue = resource(dev, deadLetters).Properties;
        assert.equal(queue.SqsManagedSseEnabled, true);
        assert.equal(queue.MessageRetentionPeriod, 14 * 24 * 60 * 60);
        assert.equal(denyWithoutTls(dev, deadLetters).length, 1);
        const allows = queuePolicyStatements(dev, deadLetters).filter((s: Cfn) => s.Effect === 'Allow');
        assert.deepEqual(
          allows.map((s: Cfn) => [
            s.Principal,
            actionsOf(s),
            describe$(dev, s.Condition.ArnEquals['aws:SourceArn']),
          ]),
          [[{ Service: 'events.amazonaws.com' }, ['sqs:SendMessage'], ref(`${rule}.Arn`)]],
        );
      });

      it('grants what its access asks for and passes what its handler requires at start', () => {
        const { table } = data(dev);
        const environment = environmentOf(dev, ids(dev).fn);
        assert.equal(environment.CATALOG_TABLE_NAME, ref(table));
        for (const role of Object.keys(definition.access.buckets ?? {}) as (keyof typeof buckets)[]) {
          assert.equal(environment[ENV.buckets[role]], ref(logicalId(dev.data.storage.buckets[role])));
        }
        if (definition.id === 'transcode-job-state') {
          assert.doesNotThrow(() => defaultJobEventDeps(environment));
        }
        if (definition.id === 'live-stream-state')
          assert.doesNotThrow(() => defaultStreamEventDeps(environment));
        if (definition.id === 'live-recording-end')
          assert.doesNotThrow(() => defaultRecordingEventDeps(environment));
        const statements = statementsOf(dev, ids(dev).role);
        assert.ok(!statements.flatMap(actionsOf).some((a) => a.startsWith('mediaconvert:')));
        // A role passed at all goes to EventBridge Scheduler only (the schedules a stream's end deletes).
        for (const statement of statements.filter((s) => actionsOf(s).includes('iam:PassRole')))
          assert.equal(statement.Condition?.StringEquals?.['iam:PassedToService'], 'scheduler.amazonaws.com');
        const recordings = logicalId(dev.data.storage.buckets.recordings);
        const expectedS3: Record<string, string[]> = {
          // Reads the multivariant playlist; deletes what a job wrote for a video deleted while it ran.
          'transcode-job-state': [
            `s3:DeleteObject on ${ref(`${data(dev).media}.Arn`)}/videos/*`,
            `s3:GetObject on ${ref(`${data(dev).media}.Arn`)}/videos/*`,
            `s3:ListBucket on ${ref(`${data(dev).media}.Arn`)}`,
          ],
          // Live state is the catalog alone.
          'live-stream-state': [],
          // Reads recording-ended.json and lists the thumbnails; writes nothing to S3.
          'live-recording-end': [
            `s3:GetObject on ${ref(`${recordings}.Arn`)}/ivs/*`,
            `s3:ListBucket on ${ref(`${recordings}.Arn`)}`,
          ],
        };
        assert.deepEqual(grantsOf(dev, ids(dev).role, 's3'), expectedS3[definition.id]);
        assert.ok(
          !statements.flatMap(actionsOf).some((a) => a.startsWith('ivs:')),
          'event handlers never call IVS',
        );
      });
    });
  }
});

describe('stacks', () => {
  it('configures the notifications of data-stack buckets from the service stack, so the data stack depends on nothing', () => {
    const dataTemplate = dev.templates[dev.data.stackName]!;
    assert.deepEqual(Object.keys(resourcesOfType(dataTemplate, 'Custom::S3BucketNotifications')), []);
    const dataArtifact = dev.assembly.getStackByName(dev.data.stackName);
    assert.deepEqual(
      dataArtifact.dependencies.map((dependency) => dependency.id).filter((id) => !id.endsWith('.assets')),
      [],
    );
  });
});
