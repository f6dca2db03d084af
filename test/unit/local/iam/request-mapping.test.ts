import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateChannelCommand,
  CreateStreamKeyCommand,
  GetStreamCommand,
  IvsClient,
  ListChannelsCommand,
} from '@aws-sdk/client-ivs';
import { CreateJobCommand, GetJobCommand, MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AuthorizationCheck, RequestAuthorization } from '../../../../local/iam/authorization.ts';
import { authorizeRequest, signerOf } from '../../../../local/iam/request-authorization.ts';
import { type CapturedRequests, captureRequests, TEST_CREDENTIALS } from './capture.ts';

const scope = { region: 'us-east-1', accountId: '123456789012' };
const ACCOUNT = '123456789012';

let capture: CapturedRequests;
before(async () => {
  capture = await captureRequests();
});
after(() => capture.close());

const config = () => ({ endpoint: capture.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });

/** Sends a command (its answer does not matter here) and maps the request the SDK made. */
async function mapped(send: () => Promise<unknown>): Promise<RequestAuthorization> {
  const before = capture.requests.length;
  await send().catch(() => undefined);
  const request = capture.requests[before];
  assert.ok(request, 'the SDK sent a request');
  return authorizeRequest(request, scope);
}

function checksOf(authorization: RequestAuthorization): AuthorizationCheck[] {
  assert.equal(authorization.kind, 'checked', JSON.stringify(authorization));
  return (authorization as Extract<RequestAuthorization, { kind: 'checked' }>).checks;
}

const pairs = (authorization: RequestAuthorization) =>
  checksOf(authorization).map((check) => [check.action, check.resource]);

describe('the local IAM gateway maps S3 requests', () => {
  const s3 = () => new S3Client({ ...config(), forcePathStyle: true });
  const object = 'arn:aws:s3:::uploads/uploads/u1/v1/a b+c.mp4';

  it('maps object reads, writes and deletes to the object ARN, and listing to s3:ListBucket on the bucket', async () => {
    const client = s3();
    const key = 'uploads/u1/v1/a b+c.mp4';
    assert.deepEqual(
      pairs(
        await mapped(() =>
          client.send(new GetObjectCommand({ Bucket: 'uploads', Key: key, Range: 'bytes=0-9' })),
        ),
      ),
      [['s3:GetObject', object]],
    );
    assert.deepEqual(
      pairs(await mapped(() => client.send(new HeadObjectCommand({ Bucket: 'uploads', Key: key })))),
      [['s3:GetObject', object]],
    );
    assert.deepEqual(
      pairs(await mapped(() => client.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: key })))),
      [['s3:DeleteObject', object]],
    );
    const listed = checksOf(
      await mapped(() => client.send(new ListObjectsV2Command({ Bucket: 'media', Prefix: 'videos/v1/' }))),
    );
    assert.deepEqual(listed, [
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::media', context: { 's3:prefix': 'videos/v1/' } },
    ]);
  });

  it('maps every step of a multipart upload', async () => {
    const client = s3();
    const base = { Bucket: 'uploads', Key: 'uploads/u1/v1/a b+c.mp4' };
    const upload = { ...base, UploadId: 'up-1' };
    assert.deepEqual(pairs(await mapped(() => client.send(new CreateMultipartUploadCommand(base)))), [
      ['s3:PutObject', object],
    ]);
    assert.deepEqual(
      pairs(await mapped(() => client.send(new UploadPartCommand({ ...upload, PartNumber: 1, Body: 'x' })))),
      [['s3:PutObject', object]],
    );
    assert.deepEqual(pairs(await mapped(() => client.send(new ListPartsCommand(upload)))), [
      ['s3:ListMultipartUploadParts', object],
    ]);
    assert.deepEqual(
      pairs(
        await mapped(() =>
          client.send(
            new CompleteMultipartUploadCommand({
              ...upload,
              MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"e"' }] },
            }),
          ),
        ),
      ),
      [['s3:PutObject', object]],
    );
    assert.deepEqual(pairs(await mapped(() => client.send(new AbortMultipartUploadCommand(upload)))), [
      ['s3:AbortMultipartUpload', object],
    ]);
  });

  it('checks s3:DeleteObject on every key of a DeleteObjects request', async () => {
    const client = s3();
    const checks = pairs(
      await mapped(() =>
        client.send(
          new DeleteObjectsCommand({
            Bucket: 'media',
            Delete: { Objects: [{ Key: 'videos/v1/a.ts' }, { Key: 'videos/v1/<b>&.m3u8' }] },
          }),
        ),
      ),
    );
    assert.deepEqual(checks, [
      ['s3:DeleteObject', 'arn:aws:s3:::media/videos/v1/a.ts'],
      ['s3:DeleteObject', 'arn:aws:s3:::media/videos/v1/<b>&.m3u8'],
    ]);
  });

  it('reads the signer and the part upload from a presigned URL, as a browser sends it', async () => {
    const url = new URL(
      await getSignedUrl(
        s3(),
        new UploadPartCommand({
          Bucket: 'uploads',
          Key: 'uploads/u1/v1/a b+c.mp4',
          UploadId: 'up-1',
          PartNumber: 3,
        }),
        { expiresIn: 60 },
      ),
    );
    const path = `${url.pathname}${url.search}`;
    const signer = signerOf('PUT', path, {});
    assert.deepEqual(signer, {
      accessKeyId: TEST_CREDENTIALS.accessKeyId,
      region: 'us-east-1',
      service: 's3',
    });
    assert.deepEqual(
      pairs(authorizeRequest({ method: 'PUT', url: path, headers: {}, service: 's3' }, scope)),
      [['s3:PutObject', object]],
    );
  });

  it('fails closed on an S3 operation it does not know', () => {
    const authorization = authorizeRequest(
      { method: 'PUT', url: '/media?policy', headers: {}, service: 's3' },
      scope,
    );
    assert.equal(authorization.kind, 'unmapped');
  });
});

describe('the local IAM gateway maps JSON protocol requests', () => {
  const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/catalog`;

  it('maps DynamoDB queries on an index to the index ARN, and each transaction item to its own action', async () => {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(config()));
    assert.deepEqual(
      pairs(
        await mapped(() =>
          db.send(
            new QueryCommand({
              TableName: 'catalog',
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p',
              ExpressionAttributeValues: { ':p': 'x' },
            }),
          ),
        ),
      ),
      [['dynamodb:Query', `${table}/index/gsi1`]],
    );
    const transaction = await mapped(() =>
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: 'catalog', Item: { pk: 'a', sk: 'b' } } },
            {
              Update: {
                TableName: 'catalog',
                Key: { pk: 'a', sk: 'c' },
                UpdateExpression: 'SET n = :n',
                ExpressionAttributeValues: { ':n': 1 },
              },
            },
            {
              ConditionCheck: {
                TableName: 'other',
                Key: { pk: 'a', sk: 'd' },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Delete: { TableName: 'catalog', Key: { pk: 'a', sk: 'e' } } },
          ],
        }),
      ),
    );
    assert.deepEqual(pairs(transaction), [
      ['dynamodb:PutItem', table],
      ['dynamodb:UpdateItem', table],
      ['dynamodb:ConditionCheckItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/other`],
      ['dynamodb:DeleteItem', table],
    ]);
  });

  it('maps Cognito admin calls to the user pool, and lets token-authorized calls through', async () => {
    const cognito = new CognitoIdentityProviderClient(config());
    assert.deepEqual(
      pairs(
        await mapped(() =>
          cognito.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_abc', Username: 'u' })),
        ),
      ),
      [['cognito-idp:AdminGetUser', `arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/us-east-1_abc`]],
    );
    const getUser = authorizeRequest(
      {
        method: 'POST',
        url: '/',
        headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' },
        service: 'cognito-idp',
        body: Buffer.from('{"AccessToken":"t"}'),
      },
      scope,
    );
    assert.equal(getUser.kind, 'public');
  });

  it('maps Secrets Manager, EventBridge and SQS calls to their resources', async () => {
    const secret = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:key-AbCdEf`;
    assert.deepEqual(
      pairs(
        await mapped(() =>
          new SecretsManagerClient(config()).send(new GetSecretValueCommand({ SecretId: secret })),
        ),
      ),
      [['secretsmanager:GetSecretValue', secret]],
    );
    const put = checksOf(
      await mapped(() =>
        new EventBridgeClient(config()).send(
          new PutEventsCommand({ Entries: [{ Source: 'skycast', DetailType: 'Thing', Detail: '{}' }] }),
        ),
      ),
    );
    assert.deepEqual(put, [
      {
        action: 'events:PutEvents',
        resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`,
        context: { 'events:source': 'skycast', 'events:detail-type': 'Thing' },
      },
    ]);
    const queueUrl = `http://127.0.0.1/${ACCOUNT}/jobs`;
    assert.deepEqual(
      pairs(
        await mapped(() =>
          new SQSClient(config()).send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '1', MessageBody: 'x' }] }),
          ),
        ),
      ),
      [['sqs:SendMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`]],
    );
  });
});

describe('the local IAM gateway maps REST-JSON requests', () => {
  const channel = `arn:aws:ivs:us-east-1:${ACCOUNT}:channel/abc`;

  it('maps IVS calls to the channel they name, and CreateChannel with its request tags', async () => {
    const ivs = new IvsClient(config());
    assert.deepEqual(pairs(await mapped(() => ivs.send(new GetStreamCommand({ channelArn: channel })))), [
      ['ivs:GetStream', channel],
    ]);
    assert.deepEqual(
      pairs(await mapped(() => ivs.send(new ListChannelsCommand({ filterByName: 'skycast-' })))),
      [['ivs:ListChannels', '*']],
    );
    const created = checksOf(
      await mapped(() =>
        ivs.send(
          new CreateChannelCommand({
            name: 'skycast-local-u1',
            tags: { application: 'skycast-local' },
            recordingConfigurationArn: 'arn:aws:ivs:us-east-1:123456789012:recording-configuration/rc',
          }),
        ),
      ),
    );
    assert.deepEqual(
      created.map((check) => check.resource),
      [`arn:aws:ivs:us-east-1:${ACCOUNT}:channel/*`, `arn:aws:ivs:us-east-1:${ACCOUNT}:stream-key/*`],
    );
    assert.deepEqual(created[0]?.context, {
      'aws:RequestTag/application': 'skycast-local',
      'aws:TagKeys': ['application'],
    });
    const key = checksOf(
      await mapped(() =>
        ivs.send(new CreateStreamKeyCommand({ channelArn: channel, tags: { application: 'skycast-local' } })),
      ),
    );
    assert.deepEqual(key, [
      {
        action: 'ivs:CreateStreamKey',
        resource: `arn:aws:ivs:us-east-1:${ACCOUNT}:stream-key/*`,
        context: { 'aws:RequestTag/application': 'skycast-local', 'aws:TagKeys': ['application'] },
      },
    ]);
  });

  it('maps MediaConvert CreateJob to its queue and the role it passes, and GetJob to the job', async () => {
    const mediaConvert = new MediaConvertClient(config());
    const role = `arn:aws:iam::${ACCOUNT}:role/mc`;
    assert.deepEqual(
      checksOf(await mapped(() => mediaConvert.send(new CreateJobCommand({ Role: role, Settings: {} })))),
      [
        {
          action: 'mediaconvert:CreateJob',
          resource: `arn:aws:mediaconvert:us-east-1:${ACCOUNT}:queues/Default`,
        },
        {
          action: 'iam:PassRole',
          resource: role,
          context: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' },
        },
      ],
    );
    assert.deepEqual(pairs(await mapped(() => mediaConvert.send(new GetJobCommand({ Id: 'job-1' })))), [
      ['mediaconvert:GetJob', `arn:aws:mediaconvert:us-east-1:${ACCOUNT}:jobs/job-1`],
    ]);
  });
});
