import { randomBytes } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type EventRuleDefinition,
  type QueueDefinition,
  type ScheduledTargetDefinition,
  eventRules as wiredEventRules,
  queues as wiredQueues,
  scheduledTargets as wiredScheduledTargets,
} from '#contract/pipelines.ts';
import {
  buckets,
  catalogTable,
  type TableDefinition,
  uploadsCors,
  userPoolPolicy,
} from '#contract/resources.ts';
import { makeKeyPairInSecret } from './deploy-time-key-pair.ts';
import { type AwsTarget, emulatorClientConfig } from './emulator-clients.ts';
import { LOCAL_ACCOUNT_ID } from './lambda.ts';
import { type ProvisionedEventRule, type ProvisionedQueue, provisionPipelines } from './pipelines.ts';

export { type AwsTarget, emulatorClientConfig, LOCAL_CREDENTIALS } from './emulator-clients.ts';

/** Names of what `provision` created, handed to functions as their environment. */
export interface ProvisionedResources {
  region: string;
  /**
   * This deployment's application name, which functions receive as APPLICATION_NAME and event rules match on;
   * the resource name prefix (`skycast-local` for `npm start`).
   */
  application: string;
  userPoolId: string;
  userPoolClientId: string;
  tableName: string;
  bucketNames: Record<keyof typeof buckets, string>;
  /** The queues of the wiring table, each with its dead-letter queue and S3 notification. */
  queues: ProvisionedQueue[];
  /** The event rules of the wiring table, each with the queue it delivers to. */
  eventRules: ProvisionedEventRule[];
  /** The IAM role (in the local account) that transcode jobs name as the one MediaConvert assumes. */
  mediaConvertRoleArn: string;
  /**
   * One-time schedules (EventBridge Scheduler in the emulator): the group, the role schedules name (the local
   * scheduler runs targets as the platform does, so nothing assumes it), and each scheduled target's function.
   */
  schedules: {
    groupName: string;
    roleArn: string;
    targets: { definition: ScheduledTargetDefinition; functionName: string; functionArn: string }[];
  };
  /**
   * The playback signing key, made as the deploy makes it: a fresh RSA key pair whose private key only the
   * secret store holds; the public key is what the media server trusts, as CloudFront trusts its key group.
   */
  playbackKey: { secretArn: string; keyPairId: string; publicKeyPem: string };
}

/**
 * A fresh playback key pair, the private key stored in the emulator's Secrets Manager by the deploy's own
 * custom-resource code, the public key returned with an id in CloudFront's style.
 */
async function createPlaybackKey(
  target: AwsTarget,
  prefix: string,
): Promise<ProvisionedResources['playbackKey']> {
  const secrets = new SecretsManagerClient(emulatorClientConfig(target));
  try {
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: `${prefix}-playback-key`,
        Description: 'Private key that signs CloudFront playback cookies',
      }),
    );
    if (!created.ARN) throw new Error('The emulator did not return the secret ARN');
    // What the deploy's custom resource does in AWS: the key pair made, its private half put in the secret.
    const publicKey = await makeKeyPairInSecret(target, created.ARN, 'RSA-2048');
    const keyPairId = `K${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`;
    return { secretArn: created.ARN, keyPairId, publicKeyPem: publicKey };
  } finally {
    secrets.destroy();
  }
}

/** The application name (and resource prefix) of `npm start`: event rules match it, functions get it. */
const LOCAL_APPLICATION_NAME = 'skycast-local';

/** What `provision` creates besides the stateful resources; the wiring tables unless a test passes its own. */
export interface ProvisionOptions {
  /** Origins whose pages may PUT upload parts to the uploads bucket (CORS). @default none */
  browserOrigins?: readonly string[];
  queues?: readonly QueueDefinition[];
  eventRules?: readonly EventRuleDefinition[];
  scheduledTargets?: readonly ScheduledTargetDefinition[];
}

/** Creates a table (with its indexes and time to live) from its definition in the wiring tables. */
export async function createTable(db: DynamoDBClient, name: string, table: TableDefinition): Promise<void> {
  const keys = [
    table.partitionKey,
    table.sortKey,
    ...table.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of keys)
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  const schema = (partition: { name: string }, sort?: { name: string }) => [
    { AttributeName: partition.name, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
  ];
  await db.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes.values()],
      KeySchema: schema(table.partitionKey, table.sortKey),
      GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: schema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  if (table.timeToLiveAttribute) {
    await db.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}

/**
 * Creates Skycast's resources in an AWS-compatible emulator from the same definitions the CDK app deploys: the
 * catalog table, the buckets, the user pool with its web client, and the queues, S3 notifications and event
 * rules of the pipelines. `prefix` names every resource and is also the application name.
 */
export async function provision(
  target: AwsTarget,
  prefix = LOCAL_APPLICATION_NAME,
  options: ProvisionOptions = {},
): Promise<ProvisionedResources> {
  const config = emulatorClientConfig(target);
  const db = new DynamoDBClient(
    emulatorClientConfig({ ...target, endpoint: target.dynamodbEndpoint ?? target.endpoint }),
  );
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const cognito = new CognitoIdentityProviderClient(config);

  const tableName = `${prefix}-catalog`;
  // The table may live on an endpoint of its own (AWS_ENDPOINT_URL_DYNAMODB): it is created there.
  const tableCreated = createTable(db, tableName, catalogTable);
  tableCreated.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled

  const bucketNames = Object.fromEntries(
    Object.keys(buckets).map((role) => [role, `${prefix}-${role}`]),
  ) as ProvisionedResources['bucketNames'];
  for (const name of Object.values(bucketNames)) await s3.send(new CreateBucketCommand({ Bucket: name }));
  // The browser uploads parts straight to the bucket and reads their ETags, from the web app's origin only, as
  // with the CDK's rule.
  if (options.browserOrigins?.length)
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: bucketNames.uploads,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedMethods: [...uploadsCors.allowedMethods],
              AllowedOrigins: [...options.browserOrigins],
              AllowedHeaders: [...uploadsCors.allowedHeaders],
              ExposeHeaders: [...uploadsCors.exposedHeaders],
              MaxAgeSeconds: uploadsCors.maxAgeSeconds,
            },
          ],
        },
      }),
    );

  const { password } = userPoolPolicy;
  const pool = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: `${prefix}-users`,
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: password.minLength,
          RequireLowercase: password.requireLowercase,
          RequireUppercase: password.requireUppercase,
          RequireNumbers: password.requireDigits,
          RequireSymbols: password.requireSymbols,
          TemporaryPasswordValidityDays: password.temporaryPasswordValidityDays,
        },
      },
    }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new Error('The emulator did not return a user pool id');
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: `${prefix}-web`,
      GenerateSecret: false,
      ExplicitAuthFlows: userPoolPolicy.authFlows.map((flow) => `ALLOW_${flow}` as const),
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: userPoolPolicy.accessTokenValidityMinutes,
      IdTokenValidity: userPoolPolicy.idTokenValidityMinutes,
      RefreshTokenValidity: userPoolPolicy.refreshTokenValidityDays,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    }),
  );
  const userPoolClientId = client.UserPoolClient?.ClientId;
  if (!userPoolClientId) throw new Error('The emulator did not return a user pool client id');

  s3.destroy();
  cognito.destroy();
  const playbackKey = await createPlaybackKey(target, prefix);

  const pipelines = await provisionPipelines({
    ...target,
    prefix,
    application: prefix,
    bucketNames,
    queues: options.queues ?? wiredQueues,
    eventRules: options.eventRules ?? wiredEventRules,
  });
  // The schedule group the functions create one-time schedules in, named as in the cloud: the application.
  const scheduler = new SchedulerClient(emulatorClientConfig(target));
  await scheduler.send(new CreateScheduleGroupCommand({ Name: prefix }));
  scheduler.destroy();
  const schedules = {
    groupName: prefix,
    roleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${prefix}-scheduler`,
    targets: (options.scheduledTargets ?? wiredScheduledTargets).map((definition) => {
      const functionName = `${prefix}-${definition.id}`;
      return {
        definition,
        functionName,
        functionArn: `arn:aws:lambda:${target.region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
      };
    }),
  };
  await tableCreated;
  db.destroy();
  return {
    schedules,
    region: target.region,
    application: prefix,
    userPoolId,
    userPoolClientId,
    tableName,
    bucketNames,
    ...pipelines,
    // MediaConvert assumes this role in AWS; the local emulator runs jobs as the platform's own user.
    mediaConvertRoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${prefix}-mediaconvert`,
    playbackKey,
  };
}
