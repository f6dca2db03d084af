import { createServer } from 'node:http';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { MANIFEST_FUNCTION } from '#contract/functions.ts';
import { buildOpenApiDocument } from '#contract/openapi.ts';
import type { UserQuotaLimits } from '#contract/quotas.ts';
import { type Route, routeKey, routes as wiredRoutes } from '#contract/routes.ts';
import type { WebConfig } from '#contract/web-config.ts';
import { createCognitoEndpoint } from './cognito-endpoint.ts';
import { createEventPublisher, type EventPublisher } from './event-bus.ts';
import { localDeploymentValues } from './function-environment.ts';
import {
  functionEnvironments,
  platformFunctions,
  routeFunctionKey,
  type ServiceEndpoints,
  startFunctionIam,
} from './function-wiring.ts';
import { createHttpApi } from './http-api.ts';
import { type LocalIam, localIamEnabled } from './iam/index.ts';
import { recordUsage } from './iam/usage-files.ts';
import { createJwtAuthorizer } from './jwt-authorizer.ts';
import { invoke, LOCAL_ACCOUNT_ID, type LocalFunction, stopFunctions } from './lambda.ts';
import { LIVE_PLAYBACK_PATH, type LocalLive, startLocalLive } from './live.ts';
import { createMediaServer, type FunctionUrlResult, type MediaServer } from './media-server/index.ts';
import { type RunningMediaConvertEmulator, startMediaConvertEmulator } from './mediaconvert/index.ts';
import { type RunningEmulator, startMoto } from './moto.ts';
import { createOriginHandler, DEV_SERVER_ORIGINS, PATHS, type RequestHandler, sendJson } from './origin.ts';
import { Outbox } from './outbox.ts';
import { type RunningPipelines, startPipelines } from './pipelines.ts';
import { emulatorClientConfig, type ProvisionedResources, provision } from './provision.ts';
import { listenOnLoopback } from './tcp-ports.ts';

export type { WebConfig } from '#contract/web-config.ts';
export { PATHS } from './origin.ts';

export interface PlatformOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 3000 */
  port?: number;
  /**
   * The RTMP ingest's port on 127.0.0.1. `npm start` passes RTMP_PORT (1935 unless set); anything else that
   * starts a platform (tests, benchmarks) gets a free port unless it asks, so platforms never collide on 1935.
   * @default 0 (a free port)
   */
  rtmpPort?: number;
  /** Print nothing but errors: no request log, no verification codes. @default false */
  quiet?: boolean;
  /**
   * Check every AWS call of every function against its synthesized IAM policy (README, "IAM on the local
   * platform"). @default true, unless SKYCAST_LOCAL_IAM=off
   */
  iam?: boolean;
  /** @default the route table in lambdas/contract/routes.ts; another one is mounted and synthesized (IAM tests). */
  routes?: readonly Route[];
  /** Per-user limits other than the defaults, as a deployment's settings give them. @default the defaults */
  quotas?: Partial<UserQuotaLimits>;
  /**
   * API Gateway's per-route throttling with the deployment's limits (lambdas/contract/api-edge.ts): 429
   * `{"message":"Too Many Requests"}` over a route's limit. `false` for benchmarks and tests that measure
   * the platform rather than its limits. @default true, unless SKYCAST_LOCAL_THROTTLE=off
   */
  throttle?: boolean;
}

/** `SKYCAST_LOCAL_THROTTLE=off` turns the local API's route throttling off (README, "Limits"). */
export const LOCAL_THROTTLE_ENV = 'SKYCAST_LOCAL_THROTTLE';

/** Whether the local API throttles its routes, as `SKYCAST_LOCAL_THROTTLE` says (on unless off/false/0). */
export function localThrottleEnabled(environment: NodeJS.ProcessEnv = process.env): boolean {
  return !['off', 'false', '0'].includes((environment[LOCAL_THROTTLE_ENV] ?? '').toLowerCase());
}

export interface RunningPlatform {
  /** The one origin, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** What `/config.json` serves. */
  config: WebConfig;
  /** What was created in the emulator. */
  resources: ProvisionedResources;
  /** The AWS-compatible emulator (moto) the handlers talk to. */
  motoEndpoint: string;
  /** The local MediaConvert, which functions reach through AWS_ENDPOINT_URL_MEDIACONVERT. */
  mediaConvertEndpoint: string;
  /** The local IVS: its API endpoint (AWS_ENDPOINT_URL_IVS), RTMP port and ingest URL, and its service. */
  ivs: LocalLive['ivs'];
  /** Verification codes the platform "e-mailed", also served at `/local/outbox`. */
  outbox: Outbox;
  /** The local IAM check, when on: its gateway, and what each function called against what it is granted. */
  iam?: Pick<LocalIam, 'endpoint' | 'usage' | 'denials'>;
  /**
   * Settles with the reason if something the platform depends on (the emulator) stops while it runs; never
   * settles after `stop()`.
   */
  failure: Promise<Error>;
  /**
   * Stops serving, the pollers, the MediaConvert emulator (and its jobs), and moto. Safe to call
   * more than once.
   */
  stop(): Promise<void>;
}

const REGION = 'us-east-1';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * Starts the local platform: the emulator, Skycast's resources in it, and one HTTP origin serving the web app,
 * `/config.json`, `/openapi.json`, the API (every route of the route table, behind the JWT authorizer) and a
 * Cognito endpoint whose verification codes go to a local outbox; the local MediaConvert; and the pipelines
 * (every queue of the wiring table drained into its function as Lambda's SQS event source does, every event
 * rule's events delivered to its function). Each function runs in execution environments of its own (worker
 * threads started at its first invocation) with only its own environment, and, unless turned off, every AWS call
 * it makes is checked against its synthesized IAM policy by the local IAM gateway.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const quiet = options.quiet ?? false;
  const routes = options.routes ?? wiredRoutes;
  const log = (line: string) => {
    if (!quiet) console.log(line);
  };

  // Listen first: a port that is taken fails at once, before the emulator spends seconds starting.
  let handle: RequestHandler = async (_request, response) =>
    sendJson(response, 503, {
      code: 'STARTING',
      message: 'The local platform is starting; try again in a moment.',
    });
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('✖ local platform error:', error);
      if (!response.headersSent)
        sendJson(response, 500, { code: 'INTERNAL_ERROR', message: 'Local platform error.' });
      else response.destroy();
    });
  });
  const port = await listenOnLoopback(server, options.port ?? 3000);
  const url = `http://127.0.0.1:${port}`;
  const browserOrigins = [url, `http://localhost:${port}`];

  let moto: RunningEmulator | undefined;
  let cognito: CognitoIdentityProviderClient | undefined;
  let publisher: EventPublisher | undefined;
  let mediaConvert: RunningMediaConvertEmulator | undefined;
  let live: LocalLive | undefined;
  let pipelines: RunningPipelines | undefined;
  let media: MediaServer | undefined;
  let iam: LocalIam | undefined;
  const functions: LocalFunction[] = [];
  const closeServer = () =>
    new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });
  /** Stops whatever has started, in reverse order: when starting fails part-way, and on stop(). */
  const stopStarted = async () => {
    await closeServer();
    media?.close();
    // Invocations in progress finish first; they may still call MediaConvert or moto.
    await pipelines?.stop();
    await stopFunctions(functions);
    if (iam) recordUsage(iam.usage());
    await iam?.stop();
    await mediaConvert?.stop();
    await live?.ivs.stop();
    publisher?.destroy();
    await moto?.stop();
    cognito?.destroy();
  };

  try {
    moto = await startMoto();
    const resources = await provision(
      { endpoint: moto.endpoint, region: REGION },
      undefined,
      // The web app's pages upload from this origin (and from localhost, the name people type).
      { browserOrigins },
    );
    // MediaConvert's job state events go on the emulator's event bus, where the wiring table's rules match them.
    const bus = createEventPublisher({ endpoint: moto.endpoint, region: REGION });
    publisher = bus;
    mediaConvert = await startMediaConvertEmulator({
      s3: { endpoint: moto.endpoint, region: REGION },
      publish: (event) => bus.publish(event),
      accountId: LOCAL_ACCOUNT_ID,
    });
    // The local IVS: RTMP ingest, live HLS on this origin, recordings and events, as IVS does them.
    live = await startLocalLive({
      endpoint: moto.endpoint,
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      application: resources.application,
      recordingsBucket: resources.bucketNames.recordings,
      originUrl: url,
      rtmpPort: options.rtmpPort ?? 0,
      publish: (event) => bus.publish(event),
    });
    const services: ServiceEndpoints = {
      moto: moto.endpoint,
      mediaConvert: mediaConvert.endpoint,
      ivs: live.ivs.endpoint,
    };
    const wired = platformFunctions(routes, resources);
    if (options.iam ?? localIamEnabled()) {
      iam = await startFunctionIam({
        resources,
        live: live.values,
        services,
        functions: wired,
        ...(options.routes ? { routes: options.routes } : {}),
        log,
      });
    }
    const runningIam = iam;
    const environmentOf = functionEnvironments({
      functions: wired,
      region: REGION,
      services,
      values: localDeploymentValues(resources, {
        mediaUrl: `${url}${PATHS.media}`,
        live: live.values,
        ...(options.quotas ? { quotas: options.quotas } : {}),
      }),
      quiet,
      ...(runningIam ? { iam: runningIam } : {}),
    });
    const localFunction = (key: string, name: string, entry: string): LocalFunction => {
      const fn: LocalFunction = { name, entry, environment: environmentOf(key) };
      functions.push(fn);
      return fn;
    };

    const routeFunctions = new Map<string, LocalFunction>(
      routes.map((route) => [
        routeKey(route),
        localFunction(routeFunctionKey(route), `skycast-${route.operation.operationId}`, route.entry),
      ]),
    );

    const config: WebConfig = {
      region: resources.region,
      apiUrl: `${url}${PATHS.api}`,
      userPoolId: resources.userPoolId,
      userPoolClientId: resources.userPoolClientId,
      mediaUrl: `${url}${PATHS.media}`,
      cognitoEndpoint: `${url}${PATHS.cognito}`,
    };
    const openApi = JSON.stringify(buildOpenApiDocument({ serverUrl: config.apiUrl }), null, 2);

    const outbox = new Outbox((message) => log(`✉ verification code for ${message.to}: ${message.code}`));
    cognito = new CognitoIdentityProviderClient(
      emulatorClientConfig({ endpoint: moto.endpoint, region: REGION }),
    );
    const cognitoEndpoint = createCognitoEndpoint({
      motoEndpoint: moto.endpoint,
      userPoolId: resources.userPoolId,
      clientId: resources.userPoolClientId,
      outbox,
      cognito,
    });
    const api = createHttpApi({
      routes,
      functions: routeFunctions,
      authorizer: createJwtAuthorizer({
        issuer: `https://cognito-idp.${resources.region}.amazonaws.com/${resources.userPoolId}`,
        audience: [resources.userPoolClientId],
        jwksEndpoint: moto.endpoint,
      }),
      region: resources.region,
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'skycastlocal',
      ...((options.throttle ?? localThrottleEnabled()) ? {} : { throttle: false as const }),
      onFunctionError: (name, outcome) =>
        console.error(`✖ ${name} ${outcome.timedOut ? 'timed out' : 'failed'}:`, outcome.error),
    });

    pipelines = await startPipelines({
      endpoint: moto.endpoint,
      region: REGION,
      application: resources.application,
      queues: resources.queues,
      eventRules: resources.eventRules,
      schedules: resources.schedules,
      environmentOf,
      onSchedule: (report) => {
        const what = `⏲ ${report.schedule}: ${report.functionName}`;
        if (report.outcome === 'succeeded') log(what);
        else console.error(`✖ ${what} gave up after ${plural(report.attempts, 'attempt')}:`, report.error);
      },
      onBatch: (queue, report) => {
        const what = `⇢ ${queue.definition.id}: ${plural(report.messages, 'message')}`;
        if (report.outcome === 'failed') {
          console.error(`✖ ${what}: ${report.functionName} failed, all back on the queue:`, report.error);
        } else if (report.outcome === 'partial') {
          log(`${what}, ${report.retried} failed and back on the queue (${report.durationMs} ms)`);
        } else {
          log(`${what} (${report.durationMs} ms)`);
        }
      },
      onEvent: (rule, report) => {
        const what = `⇢ ${rule.definition.id}: ${report.detailType}`;
        if (report.outcome === 'succeeded') return log(`${what} (${report.durationMs} ms)`);
        const next = report.outcome === 'retrying' ? 'will retry' : `gave up, event in ${rule.failed.name}`;
        console.error(
          `✖ ${what}: ${report.functionName} failed (attempt ${report.attempt}, ${next}):`,
          report.error,
        );
      },
      onError: (where, error) => console.error(`✖ poller of ${where}:`, error),
    });

    // The media behaviours' stand-in: the media and recordings buckets and the manifest Lambda, paths, headers
    // and signed-cookie checks as in the cloud.
    const manifest = localFunction(MANIFEST_FUNCTION.id, 'skycast-manifest', MANIFEST_FUNCTION.entry);
    media = createMediaServer({
      s3: { endpoint: moto.endpoint, region: REGION },
      buckets: { media: resources.bucketNames.media, recordings: resources.bucketNames.recordings },
      trustedKeys: new Map([[resources.playbackKey.keyPairId, resources.playbackKey.publicKeyPem]]),
      manifest: async (event) => {
        const outcome = await invoke(manifest, event, resources.region);
        if (!outcome.ok) throw outcome.error;
        return outcome.result as FunctionUrlResult;
      },
    });
    const runningIvs = live.ivs;
    handle = createOriginHandler({
      config,
      openApi,
      outbox,
      api,
      cognito: cognitoEndpoint,
      media,
      livePlayback: { path: LIVE_PLAYBACK_PATH, serve: runningIvs.servePlayback },
      browserOrigins: [...browserOrigins, ...DEV_SERVER_ORIGINS],
      // Functions sign part URLs for the S3 endpoint they call: the IAM gateway when it is on, else moto.
      uploadEndpoints: [runningIam?.endpoint ?? moto.endpoint],
      log,
    });

    let stopping = false;
    const runningMoto = moto;
    const failure = new Promise<Error>((resolveFailure) => {
      void runningMoto.exited.then((code) => {
        if (!stopping)
          resolveFailure(new Error(`The AWS emulator (moto) stopped unexpectedly (exit code ${code}).`));
      });
    });
    let stopped: Promise<void> | undefined;

    return {
      url,
      config,
      resources,
      motoEndpoint: moto.endpoint,
      mediaConvertEndpoint: mediaConvert.endpoint,
      ivs: runningIvs,
      outbox,
      ...(runningIam ? { iam: runningIam } : {}),
      failure,
      stop() {
        stopping = true;
        stopped ??= stopStarted();
        return stopped;
      },
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
