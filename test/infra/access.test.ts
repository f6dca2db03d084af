import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { type App, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { BucketAccess } from '#contract/access.ts';
import * as accounts from '#contract/accounts.ts';
import { ENV } from '#contract/environment.ts';
import { BUCKET_OBJECTS } from '#contract/media-layout.ts';
import type { QueueDefinition } from '#contract/pipelines.ts';
import type { BucketRole } from '#contract/resources.ts';
import type { Route } from '#contract/routes.ts';
import { SkycastApi } from '../../lib/api/http-api.ts';
import { Pipelines } from '../../lib/pipelines/pipelines.ts';
import { BUCKET_ACTIONS, bucketActions } from '../../lib/shared/access.ts';
import { MediaConvertRole } from '../../lib/transcoding/media-convert.ts';
import {
  actionsOf,
  type Cfn,
  describeExpression,
  logicalId,
  type ResourceJson,
  ref,
  testApp,
} from './support/synth.ts';

/** Apps synthesized by Template.fromStack write into temporary folders; they go when the file is done. */
const throwawayApps: App[] = [];
const throwawayApp = (): App => {
  const app = testApp();
  throwawayApps.push(app);
  return app;
};
after(() => {
  for (const app of throwawayApps) rmSync(app.outdir, { recursive: true, force: true });
});

/** A route that needs only the given bucket access; the handler module is a stand-in (bundling is skipped). */
const route = (operationId: string, access: Route['access']): Route => ({
  operation: { ...accounts.getMe, operationId, path: `/${operationId}` },
  entry: 'lambdas/accounts/get-me.ts',
  access,
});

describe('bucket access for routes', () => {
  // One route per kind of access, one mixing kinds across buckets, and one that asks for no bucket.
  const routeTable: Route[] = [
    route('readUploads', { buckets: { uploads: ['read'] } }),
    route('writeUploads', { buckets: { uploads: ['write'] } }),
    route('deleteMedia', { buckets: { media: ['delete'] } }),
    route('everything', {
      catalog: 'readWrite',
      buckets: { uploads: ['write', 'delete', 'read'], media: ['read'] },
    }),
    route('noBuckets', { catalog: 'read' }),
  ];
  const app = testApp();
  const stack = new Stack(app, 'Api');
  const bucketsByRole = {
    uploads: new Bucket(stack, 'Uploads'),
    media: new Bucket(stack, 'Media'),
    recordings: new Bucket(stack, 'Recordings'),
  } satisfies Record<BucketRole, Bucket>;
  const userPool = new UserPool(stack, 'Pool');
  const api = new SkycastApi(stack, 'Api', {
    application: 'skycast-test',
    routes: routeTable,
    userPool,
    webClient: userPool.addClient('Client'),
    catalogTable: new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
    buckets: bucketsByRole,
    uploadMaxBytes: 5 * 1024 ** 3,
    allowOrigins: ['https://example.com'],
  });
  // Only the API is held to the packs: the stand-in buckets, user pool and table are not what is under test.
  Aspects.of(api).add(new AwsSolutionsChecks());
  Aspects.of(api).add(new ServerlessChecks());
  const assembly = app.synth();
  after(() => rmSync(assembly.directory, { recursive: true, force: true }));
  const artifact = assembly.getStackByName(stack.stackName);
  const json = Template.fromJSON(artifact.template).toJSON() as { Resources: Record<string, ResourceJson> };

  const fnOf = (operationId: string) => api.functions[operationId]!;
  /**
   * A route's S3 grants as `action on resource` lines, sorted: IAM policy minimization may merge or split
   * statements, what is allowed on what stays the same.
   */
  const s3Grants = (operationId: string): string[] =>
    Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => r.Properties.Roles.some((role: Cfn) => role.Ref === logicalId(fnOf(operationId).role!)))
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .flatMap((s: Cfn) =>
        actionsOf(s)
          .filter((action) => action.startsWith('s3:'))
          .flatMap((action) => [s.Resource].flat().map((r) => `${action} on ${describeExpression(r, {})}`)),
      )
      .sort();
  const objects = (role: BucketRole) =>
    `${ref(`${logicalId(bucketsByRole[role])}.Arn`)}/${BUCKET_OBJECTS[role]}`;
  const bucketArn = (role: BucketRole) => ref(`${logicalId(bucketsByRole[role])}.Arn`);
  const variables = (operationId: string): Record<string, unknown> =>
    json.Resources[logicalId(fnOf(operationId))]!.Properties.Environment.Variables;

  it("turns 'read' into GetObject on the objects and ListBucket on the bucket, so a missing key is a 404", () => {
    assert.deepEqual(s3Grants('readUploads'), [
      `s3:GetObject on ${objects('uploads')}`,
      `s3:ListBucket on ${bucketArn('uploads')}`,
    ]);
  });

  it("turns 'write' into PutObject (which covers creating, uploading parts and completing) plus listing and aborting parts", () => {
    assert.deepEqual(s3Grants('writeUploads'), [
      `s3:AbortMultipartUpload on ${objects('uploads')}`,
      `s3:ListMultipartUploadParts on ${objects('uploads')}`,
      `s3:PutObject on ${objects('uploads')}`,
    ]);
  });

  it("turns 'delete' into DeleteObject on the objects and ListBucket on the bucket, for listing a prefix", () => {
    assert.deepEqual(s3Grants('deleteMedia'), [
      `s3:DeleteObject on ${objects('media')}`,
      `s3:ListBucket on ${bucketArn('media')}`,
    ]);
  });

  it('combines kinds per bucket, each action once, and grants nothing on buckets a route does not name', () => {
    assert.deepEqual(s3Grants('everything'), [
      `s3:AbortMultipartUpload on ${objects('uploads')}`,
      `s3:DeleteObject on ${objects('uploads')}`,
      `s3:GetObject on ${objects('media')}`,
      `s3:GetObject on ${objects('uploads')}`,
      `s3:ListBucket on ${bucketArn('media')}`,
      `s3:ListBucket on ${bucketArn('uploads')}`,
      `s3:ListMultipartUploadParts on ${objects('uploads')}`,
      `s3:PutObject on ${objects('uploads')}`,
    ]);
    assert.deepEqual(s3Grants('noBuckets'), []);
  });

  it('never grants a wildcard S3 action', () => {
    for (const kinds of [['read'], ['write'], ['delete'], ['read', 'write', 'delete']] as BucketAccess[][]) {
      const { objects: onObjects, bucket: onBucket } = bucketActions(kinds);
      for (const action of [...onObjects, ...onBucket]) assert.match(action, /^s3:[A-Za-z]+$/);
    }
    assert.deepEqual(Object.keys(BUCKET_ACTIONS).sort(), ['delete', 'read', 'write']);
  });

  it("passes each named bucket's name in its variable, and no other bucket's", () => {
    assert.deepEqual(variables('everything')[ENV.buckets.uploads], { Ref: logicalId(bucketsByRole.uploads) });
    assert.deepEqual(variables('everything')[ENV.buckets.media], { Ref: logicalId(bucketsByRole.media) });
    assert.equal(variables('everything')[ENV.buckets.recordings], undefined);
    assert.equal(variables('readUploads')[ENV.buckets.media], undefined);
    for (const name of Object.values(ENV.buckets)) assert.equal(variables('noBuckets')[name], undefined);
  });

  it('passes the upload size limit to the functions that write uploads, and only to them', () => {
    assert.equal(variables('writeUploads')[ENV.uploadMaxBytes], String(5 * 1024 ** 3));
    assert.equal(variables('everything')[ENV.uploadMaxBytes], String(5 * 1024 ** 3));
    assert.equal(variables('readUploads')[ENV.uploadMaxBytes], undefined);
    assert.equal(variables('deleteMedia')[ENV.uploadMaxBytes], undefined);
  });

  it("acknowledges each bucket's object wildcard to cdk-nag, so no wildcard finding is left", () => {
    const wildcardFindings = artifact.messages
      .filter((message) => message.level === 'error' || message.level === 'warning')
      .map((message) => String(message.entry.data))
      .filter((finding) => finding.startsWith('AwsSolutions-IAM5'));
    assert.deepEqual(wildcardFindings, []);
    const suppressed = JSON.stringify(artifact.template).match(/Uploads bucket \([a-z, ]+\)/g) ?? [];
    assert.deepEqual([...new Set(suppressed)].sort(), [
      'Uploads bucket (read)',
      'Uploads bucket (write)',
      'Uploads bucket (write, delete, read)',
    ]);
  });

  it('refuses a route that names a bucket the API was not given', () => {
    const stack = new Stack(throwawayApp(), 'Missing');
    const pool = new UserPool(stack, 'Pool');
    assert.throws(
      () =>
        new SkycastApi(stack, 'Api', {
          application: 'skycast-test',
          routes: [route('readMedia', { buckets: { media: ['read'] } })],
          userPool: pool,
          webClient: pool.addClient('Client'),
          catalogTable: new Table(stack, 'Table', {
            partitionKey: { name: 'pk', type: AttributeType.STRING },
          }),
          allowOrigins: ['https://example.com'],
        }),
      /needs the media bucket, but none was given/,
    );
  });

  it('leaves UPLOAD_MAX_BYTES unset when no limit is configured', () => {
    const stack = new Stack(throwawayApp(), 'NoLimit');
    const pool = new UserPool(stack, 'Pool');
    const unlimited = new SkycastApi(stack, 'Api', {
      application: 'skycast-test',
      routes: [route('writeUploads', { buckets: { uploads: ['write'] } })],
      userPool: pool,
      webClient: pool.addClient('Client'),
      catalogTable: new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
      buckets: { uploads: new Bucket(stack, 'Uploads') },
      allowOrigins: ['https://example.com'],
    });
    const fn = Template.fromStack(stack).toJSON().Resources[logicalId(unlimited.functions.writeUploads!)];
    assert.equal(fn.Properties.Environment.Variables[ENV.uploadMaxBytes], undefined);
  });
});

describe('Pipelines with another queue table', () => {
  const queue = (overrides: Partial<QueueDefinition>): QueueDefinition => ({
    id: 'thumbnails',
    description: 'Make thumbnails',
    entry: 'lambdas/transcoding/submit.ts',
    batchSize: 20,
    maxBatchingWindowSeconds: 10,
    functionTimeoutSeconds: 15,
    maxConcurrency: 2,
    maxReceiveCount: 5,
    access: {},
    ...overrides,
  });

  it('adds the batching window to the visibility timeout and sets it on the event source', () => {
    const stack = new Stack(throwawayApp(), 'Batching');
    const pipelines = new Pipelines(stack, 'Pipelines', {
      application: 'skycast-test',
      queues: [queue({})],
      eventRules: [],
      scheduledTargets: [],
    });
    const template = Template.fromStack(stack).toJSON();
    const thumbnails = pipelines.queues.thumbnails!;
    assert.equal(template.Resources[logicalId(thumbnails.queue)].Properties.VisibilityTimeout, 6 * 15 + 10);
    const mapping = Object.values(template.Resources as Record<string, ResourceJson>).find(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
    );
    assert.equal(mapping?.Properties.BatchSize, 20);
    assert.equal(mapping?.Properties.MaximumBatchingWindowInSeconds, 10);
    assert.equal(template.Resources[logicalId(thumbnails.queue)].Properties.RedrivePolicy.maxReceiveCount, 5);
    // No S3 source, no notification resource.
    assert.ok(!JSON.stringify(template).includes('Custom::S3BucketNotifications'));
  });

  it("configures a bucket of its own stack directly, as the bucket's own (managed) notifications", () => {
    const stack = new Stack(throwawayApp(), 'SameStack');
    const uploads = new Bucket(stack, 'Uploads');
    new Pipelines(stack, 'Pipelines', {
      application: 'skycast-test',
      queues: [queue({ s3Source: { bucket: 'uploads', prefix: 'in/', events: ['s3:ObjectCreated:Put'] } })],
      eventRules: [],
      scheduledTargets: [],
      buckets: { uploads },
    });
    const notifications = Template.fromStack(stack).findResources('Custom::S3BucketNotifications');
    assert.equal(Object.keys(notifications).length, 1);
    const [notification] = Object.values(notifications);
    assert.equal(notification?.Properties.Managed, true);
    assert.deepEqual(notification?.Properties.BucketName, { Ref: logicalId(uploads) });
    assert.deepEqual(notification?.Properties.NotificationConfiguration.QueueConfigurations[0].Events, [
      's3:ObjectCreated:Put',
    ]);
  });

  it('refuses an S3 event type S3 does not have, and a MediaConvert submitter without the role', () => {
    const stack = new Stack(throwawayApp(), 'Refusals');
    const uploads = new Bucket(stack, 'Uploads');
    assert.throws(
      () =>
        new Pipelines(stack, 'Typo', {
          application: 'skycast-test',
          queues: [queue({ s3Source: { bucket: 'uploads', prefix: 'in/', events: ['s3:ObjectCreated'] } })],
          eventRules: [],
          scheduledTargets: [],
          buckets: { uploads },
        }),
      /"s3:ObjectCreated" is not an S3 event type/,
    );
    assert.throws(
      () =>
        new Pipelines(stack, 'NoRole', {
          application: 'skycast-test',
          queues: [queue({ id: 'submit', access: { mediaConvert: 'submit' } })],
          eventRules: [],
          scheduledTargets: [],
        }),
      /needs the MediaConvert role, but none was given/,
    );
  });

  it('gives MediaConvert the bucket keys a KMS-encrypted bucket needs, when one is used', () => {
    const stack = new Stack(throwawayApp(), 'Kms');
    const role = new MediaConvertRole(stack, 'MediaConvert', {
      uploadsBucket: new Bucket(stack, 'Uploads', { encryption: BucketEncryption.KMS }),
      mediaBucket: new Bucket(stack, 'Media', { encryption: BucketEncryption.KMS }),
    });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((r: Cfn) => r.Ref === logicalId(role.role)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const kms = statements.filter((s: Cfn) => actionsOf(s).some((a) => a.startsWith('kms:')));
    assert.deepEqual(
      kms.map((s: Cfn) => actionsOf(s).sort()),
      [['kms:Decrypt'], ['kms:Decrypt', 'kms:GenerateDataKey']],
    );
  });
});
