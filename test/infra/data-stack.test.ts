import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS,
  type BucketRole,
  buckets,
  catalogTable,
  userPoolPolicy,
} from '#contract/resources.ts';
import { Accounts } from '../../lib/accounts/accounts.ts';
import { type Cfn, logicalId, resourcesOfType, synthSkycast, testApp } from './support/synth.ts';

const dev = synthSkycast({ stage: 'dev' });
const prod = synthSkycast({ stage: 'prod' });
after(() => {
  dev.dispose();
  prod.dispose();
});

const roles = Object.keys(buckets) as BucketRole[];

describe('Accounts', () => {
  const userPool = () => dev.dataTemplate.findResources('AWS::Cognito::UserPool');

  it('lets people sign up themselves and sign in with a verified e-mail address', () => {
    dev.dataTemplate.resourceCountIs('AWS::Cognito::UserPool', 1);
    dev.dataTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      AutoVerifiedAttributes: ['email'],
      VerificationMessageTemplate: Match.objectLike({ DefaultEmailOption: 'CONFIRM_WITH_CODE' }),
      Schema: [{ Name: 'email', Required: true, Mutable: true }],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    });
  });

  it('enforces the password policy of lambdas/contract/resources.ts', () => {
    const { password } = userPoolPolicy;
    dev.dataTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
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
    });
    assert.ok(password.minLength >= 12, 'a strong policy asks for at least 12 characters');
  });

  it('offers TOTP multi-factor authentication without requiring it, and recovers accounts by e-mail only', () => {
    dev.dataTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('gives the web app a public client with the flows and token lifetimes of userPoolPolicy', () => {
    const clients = dev.dataTemplate.findResources('AWS::Cognito::UserPoolClient');
    assert.equal(Object.keys(clients).length, 1);
    const client = Object.values(clients)[0]?.Properties;
    assert.equal(client.GenerateSecret, false);
    assert.deepEqual(
      [...client.ExplicitAuthFlows].sort(),
      userPoolPolicy.authFlows.map((flow) => `ALLOW_${flow}`).sort(),
    );
    assert.equal(client.PreventUserExistenceErrors, 'ENABLED');
    assert.equal(client.EnableTokenRevocation, true);
    assert.equal(client.AllowedOAuthFlowsUserPoolClient, false, 'no hosted UI, so no OAuth flows');
    assert.equal(client.AccessTokenValidity, userPoolPolicy.accessTokenValidityMinutes);
    assert.equal(client.IdTokenValidity, userPoolPolicy.idTokenValidityMinutes);
    assert.deepEqual(client.TokenValidityUnits, {
      AccessToken: 'minutes',
      IdToken: 'minutes',
      RefreshToken: 'minutes',
    });
    assert.equal(client.RefreshTokenValidity, userPoolPolicy.refreshTokenValidityDays * 24 * 60);
    assert.deepEqual(client.UserPoolId, { Ref: Object.keys(userPool())[0] });
  });

  it('in prod, protects the pool from deletion and enforces threat protection on the Plus plan', () => {
    prod.dataTemplate.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        DeletionProtection: 'ACTIVE',
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      }),
    });
  });

  it('in dev, lets the pool go with the stack and stays on the Essentials plan', () => {
    const [pool] = Object.values(userPool());
    assert.equal(pool?.DeletionPolicy, 'Delete');
    assert.equal(pool?.Properties.DeletionProtection, 'INACTIVE');
    assert.equal(pool?.Properties.UserPoolTier, 'ESSENTIALS');
    assert.equal(pool?.Properties.UserPoolAddOns, undefined);
  });

  it('turns threat protection on or off as its props say', () => {
    const stack = new Stack(testApp(), 'Accounts');
    new Accounts(stack, 'On', { threatProtection: true });
    new Accounts(stack, 'Off', { threatProtection: false });
    const pools = Template.fromStack(stack).findResources('AWS::Cognito::UserPool');
    const tierOf = (prefix: string) =>
      Object.entries(pools).find(([id]) => id.startsWith(prefix))?.[1].Properties.UserPoolTier;
    assert.equal(tierOf('On'), 'PLUS');
    assert.equal(tierOf('Off'), 'ESSENTIALS');
  });
});

describe('Catalog', () => {
  const keySchema = (partition: string, sort?: string) => [
    { AttributeName: partition, KeyType: 'HASH' },
    ...(sort ? [{ AttributeName: sort, KeyType: 'RANGE' }] : []),
  ];

  it('has the keys, indexes and TTL attribute of its definition in lambdas/contract/resources.ts', () => {
    dev.dataTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    dev.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: keySchema(catalogTable.partitionKey.name, catalogTable.sortKey?.name),
      GlobalSecondaryIndexes: catalogTable.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey.name, index.sortKey?.name),
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: catalogTable.timeToLiveAttribute, Enabled: true },
    });
    const expected = [catalogTable.partitionKey, catalogTable.sortKey]
      .concat(catalogTable.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]))
      .filter((key) => key !== undefined)
      .map((key) => `${key.name}:${key.type}`);
    const [table] = Object.values(dev.dataTemplate.findResources('AWS::DynamoDB::Table'));
    const defined = (
      table!.Properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]
    ).map((attribute) => `${attribute.AttributeName}:${attribute.AttributeType}`);
    assert.deepEqual(defined.sort(), [...new Set(expected)].sort());
  });

  it('is on-demand, encrypted with KMS and recoverable to Cfn point in time', () => {
    for (const { dataTemplate } of [dev, prod]) {
      dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('is kept and protected from deletion in prod, and deleted with a dev stack', () => {
    prod.dataTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    dev.dataTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });
});

describe('Storage', () => {
  const bucketsOf = (synth: typeof dev) =>
    resourcesOfType(synth.templates[synth.data.stackName]!, 'AWS::S3::Bucket');
  const roleBucket = (synth: typeof dev, role: BucketRole) =>
    synth.templates[synth.data.stackName]!.Resources[logicalId(synth.data.storage.buckets[role])];
  const logsBucketId = logicalId(dev.data.storage.accessLogsBucket);

  it('has a bucket per role plus the access-logs bucket', () => {
    assert.equal(Object.keys(bucketsOf(dev)).length, roles.length + 1);
    for (const role of roles) assert.ok(roleBucket(dev, role), `${role} bucket`);
  });

  it('encrypts every bucket, blocks public access and aborts unfinished multipart uploads', () => {
    for (const synth of [dev, prod]) {
      for (const [id, bucket] of Object.entries(bucketsOf(synth))) {
        const properties = bucket.Properties as Record<string, Cfn>;
        assert.deepEqual(
          properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
          { SSEAlgorithm: 'AES256' },
          id,
        );
        assert.deepEqual(
          properties.PublicAccessBlockConfiguration,
          {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          id,
        );
        assert.ok(
          properties.LifecycleConfiguration.Rules.some(
            (rule: Cfn) =>
              rule.Status === 'Enabled' &&
              rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation ===
                ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS,
          ),
          `${id} aborts incomplete multipart uploads`,
        );
      }
    }
  });

  it('refuses requests that are not over TLS 1.2 or newer, on every bucket', () => {
    const policies = resourcesOfType(dev.templates[dev.data.stackName]!, 'AWS::S3::BucketPolicy');
    for (const id of Object.keys(bucketsOf(dev))) {
      const policy = Object.values(policies).find((candidate) => candidate.Properties.Bucket.Ref === id);
      const statements =
        (policy?.Properties.PolicyDocument as { Statement: Cfn[] } | undefined)?.Statement ?? [];
      assert.ok(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
        `${id} denies plain HTTP`,
      );
      assert.ok(
        statements.some(
          (s) => s.Effect === 'Deny' && s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2,
        ),
        `${id} denies TLS older than 1.2`,
      );
    }
  });

  it('logs access to each media bucket into the access-logs bucket, under a prefix per role', () => {
    for (const role of roles) {
      assert.deepEqual(roleBucket(dev, role)?.Properties.LoggingConfiguration, {
        DestinationBucketName: { Ref: logsBucketId },
        LogFilePrefix: `s3-access-logs/${role}/`,
      });
    }
  });

  it('versions the originals (uploads, recordings) and lets old versions expire, but not the media', () => {
    for (const role of ['uploads', 'recordings'] as const) {
      const properties = roleBucket(dev, role)?.Properties as Record<string, Cfn>;
      assert.deepEqual(properties.VersioningConfiguration, { Status: 'Enabled' }, role);
      assert.ok(
        properties.LifecycleConfiguration.Rules.some(
          (rule: Cfn) => rule.NoncurrentVersionExpiration?.NoncurrentDays > 0,
        ),
        `${role} expires noncurrent versions`,
      );
    }
    assert.equal(roleBucket(dev, 'media')?.Properties.VersioningConfiguration, undefined);
  });

  it("leaves CORS of the uploads bucket to the service stack, which knows the web app's origin", () => {
    assert.equal(roleBucket(dev, 'uploads')?.Properties.CorsConfiguration, undefined);
    assert.equal(roleBucket(dev, 'media')?.Properties.CorsConfiguration, undefined);
  });

  it('accepts S3 log deliveries from this account and CloudFront logs, and expires logs per stage', () => {
    for (const synth of [dev, prod]) {
      const template = synth.templates[synth.data.stackName]!;
      const logs = template.Resources[logsBucketId]?.Properties as Record<string, Cfn>;
      assert.deepEqual(logs.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
      const expiration = logs.LifecycleConfiguration.Rules.find((rule: Cfn) => rule.ExpirationInDays);
      assert.equal(expiration?.ExpirationInDays, synth.settings.accessLogsExpiration.toDays());
    }
    dev.dataTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('keeps buckets and their objects in prod, and empties and deletes them with a dev stack', () => {
    for (const bucket of Object.values(bucketsOf(prod))) assert.equal(bucket.DeletionPolicy, 'Retain');
    assert.equal(Object.keys(prod.dataTemplate.findResources('Custom::S3AutoDeleteObjects')).length, 0);
    for (const bucket of Object.values(bucketsOf(dev))) assert.equal(bucket.DeletionPolicy, 'Delete');
    assert.equal(
      Object.keys(dev.dataTemplate.findResources('Custom::S3AutoDeleteObjects')).length,
      roles.length + 1,
    );
  });
});

describe('DataStack', () => {
  it('names its stack after the stage and protects the prod stack from termination', () => {
    assert.equal(dev.data.stackName, 'skycast-dev-data');
    assert.equal(prod.data.stackName, 'skycast-prod-data');
    assert.equal(prod.data.terminationProtection, true);
    assert.equal(dev.data.terminationProtection, false);
  });

  it('outputs the catalog table name and each bucket name', () => {
    const outputs = dev.templates[dev.data.stackName]!.Outputs ?? {};
    assert.deepEqual(outputs.CatalogTableName?.Value, { Ref: logicalId(dev.data.catalog.table) });
    for (const role of roles) {
      const name = `${role.charAt(0).toUpperCase()}${role.slice(1)}BucketName`;
      assert.deepEqual(outputs[name]?.Value, { Ref: logicalId(dev.data.storage.buckets[role]) });
    }
  });

  it('is environment-agnostic, so synthesis needs no AWS account', () => {
    for (const stack of [dev.data, dev.service, prod.data, prod.service]) {
      assert.equal(stack.environment, 'aws://unknown-account/unknown-region');
    }
  });
});
