import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { WebApp } from './web-app.ts';

/** Props of {@link WebContent}. */
export interface WebContentProps {
  webApp: WebApp;
  /** Folder with the static files (index.html …). @default none: only `documents` are deployed */
  assetsPath?: string;
  /**
   * JSON documents written next to the static files at deploy time, by object key (`config.json`, …).
   * They may hold CloudFormation values (tokens), resolved during the deployment.
   */
  documents?: Record<string, unknown>;
  /** Retention of the deployment function's logs. @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
}

/**
 * Deploys the web app's files and generated documents to its bucket and invalidates the distribution, so a
 * deploy is visible at once. Files are served with `Cache-Control: no-cache`: browsers revalidate them
 * (cheaply, by ETag), so the shell and `/config.json` never go stale.
 */
export class WebContent extends Construct {
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: WebContentProps) {
    super(scope, id);
    const sources: ISource[] = [];
    if (props.assetsPath) sources.push(Source.asset(props.assetsPath));
    for (const [key, document] of Object.entries(props.documents ?? {})) {
      sources.push(Source.jsonData(key, document));
    }

    const logGroup = new LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    // Our own role for the CDK's copy function, so its logs permission covers its log group only (the default
    // role gets AWSLambdaBasicExecutionRole); the deployment adds the S3 and CloudFront grants to it.
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the web app into its bucket',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources,
      destinationBucket: props.webApp.bucket,
      distribution: props.webApp.distribution,
      distributionPaths: ['/*'],
      cacheControl: [CacheControl.noCache()],
      // The copy runs in a Lambda function with the AWS CLI; more memory is more CPU and network.
      memoryLimit: 512,
      logGroup,
      role,
    });
    this.suppressDeploymentFindings(props.webApp, role);
  }

  /**
   * The copy function is the CDK's own (a singleton per stack, outside this construct's tree): we cannot set
   * its runtime or tracing, nor narrow the grants the deployment gives its role, so those findings are
   * acknowledged here, one by one.
   */
  private suppressDeploymentFindings(webApp: WebApp, role: Role): void {
    const stack = Stack.of(this);
    const webBucketId = stack.resolve(stack.getLogicalId(webApp.bucket.node.defaultChild as CfnBucket));
    const cdkOwned = "The CDK's BucketDeployment function";
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            `${cdkOwned} reads the staged files from the CDK assets bucket, replaces every object of the web ` +
            'bucket (prune) and aborts its unfinished uploads; the CDK grants those S3 actions with wildcards, ' +
            'limited to these two buckets.',
          appliesTo: [
            'Action::s3:GetBucket*',
            'Action::s3:GetObject*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            'Action::s3:DeleteObject*',
            {
              regex:
                '/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\\/\\*$/g',
            },
            `Resource::<${webBucketId}.Arn>/*`,
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            `${cdkOwned} invalidates the web distribution after copying; the CDK grants ` +
            'cloudfront:CreateInvalidation and GetInvalidation on Resource "*", with no option to narrow it.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    const handlers = stack.node.children.filter((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    for (const handler of handlers) {
      NagSuppressions.addResourceSuppressions(handler, [
        {
          id: 'AwsSolutions-L1',
          reason: `${cdkOwned} pins the Python runtime that its AWS CLI layer is built and tested for.`,
        },
        {
          id: 'Serverless-LambdaLatestVersion',
          reason: `${cdkOwned} pins the Python runtime that its AWS CLI layer is built and tested for.`,
        },
        {
          id: 'Serverless-LambdaDLQ',
          reason:
            `${cdkOwned} is invoked by CloudFormation as a custom resource, which fails the deployment if ` +
            'the function fails, so there is no lost event for a dead-letter queue to keep.',
        },
        {
          id: 'Serverless-LambdaTracing',
          reason: `${cdkOwned} offers no tracing option; it runs once per deployment, not per request.`,
        },
      ]);
    }
  }
}
