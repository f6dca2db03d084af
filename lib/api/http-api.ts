import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { apiCors, DEFAULT_ROUTE_THROTTLE, routeThrottle } from '#contract/api-edge.ts';
import { routeFunction } from '#contract/functions.ts';
import type { QueueId } from '#contract/pipelines.ts';
import type { UserQuotaLimits } from '#contract/quotas.ts';
import type { BucketRole } from '#contract/resources.ts';
import { routes as allRoutes, type Route, routeKey } from '#contract/routes.ts';
import type { PlaybackSigningKey } from '../delivery/playback-key.ts';
import { grantAccess, type LiveTargets, type ScheduleTargets } from '../shared/access.ts';
import type { ApiThrottle } from '../shared/settings.ts';
import { SkycastFunction } from '../shared/skycast-function.ts';

/** Props of {@link SkycastApi}. */
export interface SkycastApiProps {
  /** This deployment's application name (`skycast-<stage>`): the API's name, and what live functions name channels by. */
  application: string;
  /** @default the route table in lambdas/contract/routes.ts */
  routes?: readonly Route[];
  /** Issues the access tokens the JWT authorizer accepts. */
  userPool: IUserPool;
  /** The only client whose tokens the authorizer accepts (its id is the token audience). */
  webClient: IUserPoolClient;
  /** The catalog table, for routes whose `access.catalog` asks for it. */
  catalogTable: ITable;
  /** The media buckets by role, for routes whose `access.buckets` names them. @default none */
  buckets?: Partial<Record<BucketRole, IBucket>>;
  /**
   * The largest upload accepted, in bytes, for functions that write the uploads bucket (UPLOAD_MAX_BYTES).
   * @default not set: the handlers' own default applies
   */
  uploadMaxBytes?: number;
  /** Per-user limits other than the handlers' defaults, for routes whose `access.quotas` names them. @default the defaults */
  userQuotas?: Partial<UserQuotaLimits>;
  /** For live routes (`access.ivs`, `access.liveTokens`): the recording configuration and playback key. @default none */
  live?: LiveTargets;
  /** The schedule group, role and targets, for routes whose `access.schedules` names them. @default none */
  schedules?: ScheduleTargets;
  /** The operator's house ad creative, for routes whose `access.houseCreative` asks. @default none */
  houseCreativeVideoId?: string;
  /** The queues of the wiring tables by id, for routes whose `access.sendTo` names them. @default none */
  queues?: Partial<Record<QueueId, IQueue>>;
  /** Browser origins allowed to call the API (CORS), e.g. the web app's URL. */
  allowOrigins: string[];
  /**
   * Every route's limit; the routes of the contract's ROUTE_THROTTLES get their own, never above it.
   * @default DEFAULT_ROUTE_THROTTLE of lambdas/contract/api-edge.ts
   */
  throttle?: ApiThrottle;
  /** Retention of the functions' logs and the API access logs. @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  logRemovalPolicy?: RemovalPolicy;
  /** The playback signing key and where media is served, for routes whose `access.mediaCookies` is `sign`. */
  playback?: { key: PlaybackSigningKey; mediaUrl: string };
}

/** What API Gateway writes per request: one JSON line, no headers (so no tokens). */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  userId: '$context.authorizer.claims.sub',
};

const upperFirst = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * The HTTP API: one function per route of the route table, a Cognito JWT authorizer in front of every
 * `auth: 'user'` operation, environment and IAM grants derived from each route's `access`, throttling per
 * route (lambdas/contract/api-edge.ts), JSON access logs and CORS for the web app.
 */
export class SkycastApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly authorizer: HttpUserPoolAuthorizer;
  /** The API's base URL, without a trailing slash: `https://<id>.execute-api.<region>.amazonaws.com`. */
  readonly url: string;
  /** Each route's function, by operationId. */
  readonly functions: Readonly<Record<string, SkycastFunction>>;

  constructor(scope: Construct, id: string, props: SkycastApiProps) {
    super(scope, id);
    const routes = props.routes ?? allRoutes;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;
    const throttle = props.throttle ?? DEFAULT_ROUTE_THROTTLE;

    const methods = [...new Set(routes.map((route) => route.operation.method))];
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: props.application,
      description: 'Skycast API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.allowOrigins,
        allowMethods: methods.map((method) => CorsHttpMethod[method]),
        allowHeaders: [...apiCors.allowHeaders],
        exposeHeaders: [...apiCors.exposeHeaders],
        // Tokens travel in the Authorization header, never in cookies.
        allowCredentials: false,
        maxAge: Duration.seconds(apiCors.maxAgeSeconds),
      },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.httpApi.apiEndpoint;

    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', props.userPool, {
      userPoolClients: [props.webClient],
      identitySource: ['$request.header.Authorization'],
    });

    const functions: Record<string, SkycastFunction> = {};
    // The L1's RouteSettings is plain JSON, written as CloudFormation spells it.
    const routeSettings: Record<string, { ThrottlingBurstLimit: number; ThrottlingRateLimit: number }> = {};
    for (const route of routes) {
      const { fn, httpRoutes } = this.addRoute(route, props, logRetention, logRemovalPolicy);
      functions[route.operation.operationId] = fn;
      const limit = routeThrottle(route.operation.operationId, throttle);
      if (limit.burstLimit === throttle.burstLimit && limit.rateLimit === throttle.rateLimit) continue;
      routeSettings[routeKey(route)] = {
        ThrottlingBurstLimit: limit.burstLimit,
        ThrottlingRateLimit: limit.rateLimit,
      };
      // A stage's route settings may only name routes that exist already.
      for (const httpRoute of httpRoutes) this.stage.node.addDependency(httpRoute);
    }
    (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    this.functions = functions;
  }

  private addRoute(
    route: Route,
    props: SkycastApiProps,
    logRetention: RetentionDays,
    logRemovalPolicy: RemovalPolicy,
  ): { fn: SkycastFunction; httpRoutes: HttpRoute[] } {
    const { operation } = route;
    const scope = new Construct(this, upperFirst(operation.operationId));

    const wiring = routeFunction(route);
    const fn = new SkycastFunction(scope, 'Function', {
      entry: route.entry,
      description: `${operation.operationId}: ${operation.summary}`.slice(0, 256),
      serviceName: wiring.serviceName,
      logRetention,
      logRemovalPolicy,
    });

    grantAccess(fn, wiring, {
      application: props.application,
      catalogTable: props.catalogTable,
      userPool: props.userPool,
      webClient: props.webClient,
      ...(props.buckets ? { buckets: props.buckets } : {}),
      ...(props.uploadMaxBytes !== undefined ? { uploadMaxBytes: props.uploadMaxBytes } : {}),
      ...(props.userQuotas ? { userQuotas: props.userQuotas } : {}),
      ...(props.live ? { live: props.live } : {}),
      ...(props.queues ? { queues: props.queues } : {}),
      ...(props.houseCreativeVideoId ? { houseCreativeVideoId: props.houseCreativeVideoId } : {}),
      ...(props.schedules ? { schedules: props.schedules } : {}),
      ...(props.playback ? { mediaCookies: props.playback } : {}),
    });

    const httpRoutes = this.httpApi.addRoutes({
      path: operation.path,
      methods: [HttpMethod[operation.method]],
      integration: new HttpLambdaIntegration('Integration', fn),
      ...(operation.auth === 'user' ? { authorizer: this.authorizer } : {}),
    });

    this.suppressFindings(route, fn, httpRoutes);
    return { fn, httpRoutes };
  }

  private suppressFindings(route: Route, fn: SkycastFunction, httpRoutes: HttpRoute[]): void {
    NagSuppressions.addResourceSuppressions(fn, [
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'API Gateway invokes route functions synchronously and returns their errors to the caller; ' +
          'a dead-letter queue only ever receives failed asynchronous invocations.',
      },
    ]);
    if (route.operation.auth === 'public') {
      for (const httpRoute of httpRoutes) {
        NagSuppressions.addResourceSuppressions(httpRoute, [
          {
            id: 'AwsSolutions-APIG4',
            reason: `${route.operation.operationId} is public by design: the route table marks it auth 'public'.`,
          },
        ]);
      }
    }
  }
}
