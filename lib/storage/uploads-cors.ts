import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { uploadsCors } from '#contract/resources.ts';

/** Props of {@link UploadsCors}. */
export interface UploadsCorsProps {
  /** The uploads bucket (of the data stack). */
  bucket: IBucket;
  /** The browser origins that may PUT upload parts: the web app's URL, and any dev server's. */
  allowOrigins: string[];
}

/**
 * The uploads bucket's CORS rule, set from the service stack because only it knows the web app's URL (the
 * CloudFront domain is made there; the bucket lives in the data stack, which must not depend on the service
 * stack). A custom resource puts the rule on the bucket and takes it off when the stack goes; the bucket itself
 * declares none, so the two never fight over it.
 */
export class UploadsCors extends Construct {
  constructor(scope: Construct, id: string, props: UploadsCorsProps) {
    super(scope, id);
    const rule = {
      AllowedMethods: [...uploadsCors.allowedMethods],
      AllowedOrigins: props.allowOrigins,
      AllowedHeaders: [...uploadsCors.allowedHeaders],
      ExposeHeaders: [...uploadsCors.exposedHeaders],
      MaxAgeSeconds: uploadsCors.maxAgeSeconds,
    };
    const call = {
      service: 'S3',
      action: 'putBucketCors',
      parameters: { Bucket: props.bucket.bucketName, CORSConfiguration: { CORSRules: [rule] } },
      physicalResourceId: PhysicalResourceId.of(`${props.bucket.bucketName}-cors`),
    };
    const resource = new AwsCustomResource(this, 'Rule', {
      onCreate: call,
      onUpdate: call,
      onDelete: {
        service: 'S3',
        action: 'deleteBucketCors',
        parameters: { Bucket: props.bucket.bucketName },
      },
      // PutBucketCors and DeleteBucketCors are both authorized as s3:PutBucketCORS, on the bucket.
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['s3:PutBucketCORS'], resources: [props.bucket.bucketArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    // The provider is CDK's one function per stack behind every AwsCustomResource, a child of the stack.
    const provider = Stack.of(this).node.tryFindChild(
      `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
    );
    const runsAtDeploy =
      "CDK's AwsCustomResource provider runs only while CloudFormation deploys the stack, to set one bucket's CORS";
    for (const construct of [resource, ...(provider ? [provider] : [])]) {
      NagSuppressions.addResourceSuppressions(
        construct,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason: `${runsAtDeploy}; it logs with the AWS-managed AWSLambdaBasicExecutionRole and may otherwise only s3:PutBucketCORS on the uploads bucket.`,
            appliesTo: [
              'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
            ],
          },
          {
            id: 'Serverless-LambdaDefaultMemorySize',
            reason: `${runsAtDeploy}: one small SDK call, for which CDK's default memory is plenty.`,
          },
          {
            id: 'Serverless-LambdaDLQ',
            reason: `${runsAtDeploy}, invoked by CloudFormation, which fails the deployment on an error instead of retrying.`,
          },
          {
            id: 'Serverless-LambdaTracing',
            reason: `${runsAtDeploy}; a trace of one PutBucketCors call would tell nothing the deployment events do not.`,
          },
        ],
        true,
      );
    }
  }
}
