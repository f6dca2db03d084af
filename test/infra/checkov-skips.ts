/**
 * Checkov findings Skycast accepts, each for the resources it names and with the reason. The static-checks
 * test fails on any other finding, and on a skip that no longer matches anything (delete it then).
 */
export interface CheckovSkip {
  check: string;
  /** Matched against checkov's `<Type>.<LogicalId>` resource names. */
  resources: RegExp;
  reason: string;
}

export const checkovSkips: readonly CheckovSkip[] = [
  {
    check: 'CKV_AWS_149',
    resources: /^AWS::SecretsManager::Secret\.LivePlaybackKey/,
    reason:
      'The IVS playback private key is encrypted with the AWS managed key (aws/secretsmanager). A customer ' +
      'managed key would add a monthly charge and a key policy without changing who can read it: only the ' +
      'functions that sign playback tokens (and the deploy-time key maker) have secretsmanager:GetSecretValue on it.',
  },
  {
    check: 'CKV_AWS_119',
    resources: /^AWS::DynamoDB::Table\.CatalogTable/,
    reason:
      'The catalog is encrypted at rest with the AWS managed KMS key (aws/dynamodb). A customer managed key ' +
      'would add a monthly key charge and key-policy upkeep to every deployment without changing who can ' +
      'read the data: that is decided by IAM, and every grant is per function.',
  },
  {
    check: 'CKV_AWS_18',
    resources: /^AWS::S3::Bucket\.StorageAccessLogs/,
    reason:
      'This is the access-logs bucket: the other buckets and the web distribution log into it. Logging it ' +
      'into itself would log every log delivery, without end.',
  },
  {
    check: 'CKV_AWS_21',
    resources: /^AWS::S3::Bucket\.(StorageAccessLogs|StorageMedia|WebAppBucket)/,
    reason:
      'Versioning is on where objects cannot be made again (uploads, recordings). Access logs are written ' +
      'once and expire; media renditions, posters and clips are regenerated from the originals by ' +
      'transcoding; the web bucket is rebuilt from the repository on every deploy.',
  },
  {
    check: 'CKV_AWS_116',
    resources:
      /^AWS::Lambda::Function\.(Api|CustomCDKBucketDeployment|CustomS3AutoDeleteObjects|BucketNotificationsHandler|MediaManifest|PlaybackKeyGenerator|LivePlaybackKeyGenerator|AWS679f53fac002430cb0da5b7982bd2287)/,
    reason:
      'A dead-letter queue only receives failed asynchronous invocations. API functions are invoked ' +
      'synchronously by API Gateway, which returns the error to the caller, and the manifest function by ' +
      'CloudFront through its function URL, which answers the viewer with it; the custom-resource handlers ' +
      "(the CDK's, its AwsCustomResource provider setting the uploads bucket's CORS, and the playback key generator) are invoked by CloudFormation, which fails the deployment instead.",
  },
  {
    check: 'CKV_AWS_116',
    resources: /^AWS::Lambda::Function\.PipelinesQueues/,
    reason:
      "Queue pipeline functions are invoked synchronously by Lambda's SQS poller, never asynchronously, so a " +
      'function dead-letter queue would stay empty: a message that fails maxReceiveCount times moves to the ' +
      "source queue's own dead-letter queue (redrive policy), which has an alarm.",
  },
  {
    check: 'CKV_AWS_27',
    resources: /^AWS::SQS::Queue\.Pipelines/,
    reason:
      'Every queue is encrypted at rest with SQS managed keys (SSE-SQS, SqsManagedSseEnabled), which checkov ' +
      'does not recognise. The AWS managed KMS key (aws/sqs) would lock out S3 notifications and EventBridge, ' +
      'whose deliveries need a key policy it cannot have. A customer managed key would add a monthly charge and ' +
      'a key policy to keep in step, while who may read the messages is decided by IAM and the queue policies.',
  },
  {
    check: 'CKV_AWS_117',
    resources: /^AWS::Lambda::Function\./,
    reason:
      'Skycast functions only call AWS service endpoints (DynamoDB, Cognito, S3, IVS, MediaConvert) over TLS ' +
      'with IAM authentication; there is no private network resource to reach. A VPC would add NAT gateways ' +
      'or interface endpoints to every deployment and nothing to its security.',
  },
  {
    check: 'CKV_AWS_115',
    resources: /^AWS::Lambda::Function\./,
    reason:
      'Reserved concurrency would carve a fixed share out of the account limit for each function and cap it ' +
      'there; request rates are limited where they enter instead, by the HTTP API stage throttling.',
  },
  {
    check: 'CKV_AWS_173',
    resources: /^AWS::Lambda::Function\./,
    reason:
      'Function environments hold resource names and ids only (table, user pool, client), never secrets; ' +
      'Lambda encrypts them at rest with its AWS managed key already.',
  },
  {
    check: 'CKV_AWS_158',
    resources: /^AWS::Logs::LogGroup\./,
    reason:
      'CloudWatch Logs encrypts every log group at rest. Our logs carry no tokens, stream keys or presigned ' +
      'URLs by design (STYLE.md), so a customer managed key would add cost and a key policy, not protection.',
  },
  {
    check: 'CKV_AWS_68',
    resources: /^AWS::CloudFront::Distribution\.WebAppDistribution/,
    reason:
      'The distribution serves static files and cacheable GET and HEAD of video files behind signed cookies; ' +
      'the API has its own throttling and JWT authorizer, and Origin Shield keeps the media origins independent ' +
      'of the request volume. AWS WAF is billed per request, which at video request rates (a segment every few ' +
      'seconds per viewer) is a large cost, so attaching one is left to operators who want it.',
  },
  {
    check: 'CKV_AWS_174',
    resources: /^AWS::CloudFront::Distribution\.WebAppDistribution/,
    reason:
      'Without -c mediaDomain the distribution uses the default *.cloudfront.net certificate, whose security ' +
      'policy CloudFront fixes; with -c mediaDomain and its ACM certificate it enforces TLSv1.2_2021.',
  },
  {
    check: 'CKV_AWS_149',
    resources: /^AWS::SecretsManager::Secret\.PlaybackKeySecret/,
    reason:
      "The playback signing key is encrypted at rest with Secrets Manager's AWS managed key; only the functions " +
      'that sign playback (and the generator) may read it, by IAM. A customer managed key would add a monthly ' +
      'key charge and a key policy to keep in step, and protect nothing IAM does not.',
  },
  {
    check: 'CKV_AWS_111',
    resources: /^AWS::IAM::Policy\.WebContentDeploymentRoleDefaultPolicy/,
    reason:
      "The CDK's BucketDeployment function invalidates the web distribution after copying; the CDK adds " +
      'cloudfront:CreateInvalidation to the role we give it on "*" rather than on the distribution, and offers ' +
      'no way to narrow it. Every other statement of the policy is limited to the two buckets involved.',
  },
  {
    check: 'CKV_AWS_192',
    resources: /^AWS::WAFv2::WebACL\.WebFirewallWebAcl/,
    reason:
      'The web ACL guards a distribution of static files, S3 objects and a Node.js manifest function: no Java, ' +
      'nothing that logs request text through Log4j, is behind it. The Known Bad Inputs rule group that this ' +
      'check asks for would add a rule to the bill for a vulnerability the stack does not have; the web ACL is ' +
      'there for its rate-based rule.',
  },
];
