import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { lambdaBundling } from './bundling.ts';
import { REPOSITORY_ROOT } from './settings.ts';

/** Every Skycast function runs on this runtime; cdk-nag's L1 rule wants the newest one aws-cdk-lib knows. */
export const SKYCAST_RUNTIME = Runtime.NODEJS_24_X;

/** Props of {@link SkycastFunction}. */
export interface SkycastFunctionProps {
  /** Handler module, relative to the repository root (or absolute); it exports `handler`. */
  entry: string;
  /** Short description shown in the Lambda console. */
  description?: string;
  /** @default 'skycast' — Powertools tags every log line with it (POWERTOOLS_SERVICE_NAME). */
  serviceName?: string;
  /** @default 512 MiB — Lambda gives CPU in proportion to memory, and our bundles carry the AWS SDK. */
  memorySize?: number;
  /** @default 10 seconds — well past what an API call should take; API Gateway gives up at 30 s anyway. */
  timeout?: Duration;
  /** Added to the house variables. */
  environment?: Record<string, string>;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** What happens to the log group when the function leaves the template. @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
  /**
   * Where Lambda puts an asynchronous invocation (EventBridge, S3) that failed all its retries.
   * @default none — synchronous callers (API Gateway, an SQS event source) get the error back themselves
   */
  deadLetterQueue?: IQueue;
}

/**
 * Without an esbuild it can find, NodejsFunction quietly bundles in Docker instead. Skycast never does
 * (esbuild is a devDependency), so a missing esbuild is an install problem worth saying plainly. The lookup
 * starts where the CDK's own does, from aws-cdk-lib, so the two cannot disagree.
 */
function assertLocalEsbuild(): void {
  try {
    const fromHere = createRequire(import.meta.url);
    createRequire(fromHere.resolve('aws-cdk-lib/package.json')).resolve('esbuild/package.json');
  } catch {
    throw new Error(
      'esbuild is not installed: run `npm ci`. Skycast bundles functions locally, never in Docker.',
    );
  }
}

/**
 * The house Lambda function: Node.js on arm64, an ESM bundle built by the local esbuild with the options in
 * `lib/shared/bundling.ts`, its own log group with a retention, X-Ray tracing, JSON logs, and a role that
 * may write only to that log group. Grant it more through `grant*` methods as usual.
 *
 * The log group and role are created next to the function, in the same scope, as `<id>Logs` and `<id>Role`:
 * the function needs both before it exists.
 */
export class SkycastFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SkycastFunctionProps) {
    assertLocalEsbuild();
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy, whose log permissions cover
    // every log group in the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    super(scope, id, {
      entry: isAbsolute(props.entry) ? props.entry : join(REPOSITORY_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: SKYCAST_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      role,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'skycast',
        // The bundle carries source maps; this makes stack traces point at our TypeScript.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: lambdaBundling.target,
        minify: lambdaBundling.minify,
        sourceMap: lambdaBundling.sourceMap,
        sourcesContent: lambdaBundling.sourcesContent,
        mainFields: [...lambdaBundling.mainFields],
        banner: lambdaBundling.banner,
        // The AWS SDK is bundled (the version we test, not whatever the runtime ships) but for the credential
        // providers Lambda never loads; see lambdaBundling.externalModules.
        externalModules: [...lambdaBundling.externalModules],
        forceDockerBundling: false,
      },
    });

    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level ' +
            'permissions, so AWS documents Resource "*" for them.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }
}
