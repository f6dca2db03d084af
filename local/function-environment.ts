/**
 * What a function's environment is on the local platform: what Lambda itself sets (region, credentials), pointed
 * at the local endpoints, and exactly what the contract's `functionEnvironment` gives the function for the
 * local resources.
 */
import { type DeploymentValues, type FunctionWiring, functionEnvironment } from '#contract/environment.ts';
import { wiredFunctions } from '#contract/functions.ts';
import { LOCAL_CREDENTIALS } from './emulator-clients.ts';
import type { ProvisionedResources } from './provision.ts';

/**
 * The media URL functions sign for when nothing serves media (integration tests of handlers alone): a
 * reserved name (RFC 6761), so nothing can ever be fetched with it.
 */
export const LOCAL_MEDIA_URL_UNSERVED = 'http://media.invalid/media';

/** Where a local function's AWS calls go, and the credentials it signs them with. */
export interface LocalEndpoints {
  /** The AWS-compatible emulator (moto), AWS_ENDPOINT_URL. */
  endpoint: string;
  /** DynamoDB on an endpoint of its own (AWS_ENDPOINT_URL_DYNAMODB wins over AWS_ENDPOINT_URL in the SDK). */
  dynamodbEndpoint?: string;
  /** Further per-service endpoints (`AWS_ENDPOINT_URL_<SERVICE>`), e.g. the local MediaConvert and IVS. */
  services?: Record<string, string>;
  /** @default LOCAL_CREDENTIALS */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** What Lambda itself gives every function (region, credentials), pointed at the local endpoints. */
export function runtimeEnvironment(region: string, endpoints: LocalEndpoints): Record<string, string> {
  const credentials = endpoints.credentials ?? LOCAL_CREDENTIALS;
  return {
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoints.endpoint,
    ...(endpoints.dynamodbEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbEndpoint } : {}),
    ...endpoints.services,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    // Emulators may reject the newer default checksums; AWS accepts either.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}

/** The local resources as the contract's `functionEnvironment` reads them. */
export function localDeploymentValues(
  resources: ProvisionedResources,
  extra: {
    /** Where media is served (`mediaUrl` of /config.json), for functions that sign playback. */
    mediaUrl?: string;
    /** The local IVS's recording configuration, token key secret and ingest URL template. */
    live?: DeploymentValues['live'];
    /** Per-user limits other than the defaults (`DEFAULT_USER_QUOTAS`), e.g. tight ones for a test. */
    quotas?: DeploymentValues['quotas'];
  } = {},
): DeploymentValues {
  return {
    application: resources.application,
    catalogTable: resources.tableName,
    buckets: resources.bucketNames,
    userPool: { id: resources.userPoolId, clientId: resources.userPoolClientId },
    mediaCookies: {
      secretArn: resources.playbackKey.secretArn,
      keyPairId: resources.playbackKey.keyPairId,
      mediaUrl: extra.mediaUrl ?? LOCAL_MEDIA_URL_UNSERVED,
    },
    ...(extra.live ? { live: extra.live } : {}),
    ...(extra.quotas ? { quotas: extra.quotas } : {}),
    mediaConvert: { roleArn: resources.mediaConvertRoleArn },
    queueUrls: Object.fromEntries(resources.queues.map((queue) => [queue.definition.id, queue.url])),
    schedules: {
      groupName: resources.schedules.groupName,
      roleArn: resources.schedules.roleArn,
      targetArns: Object.fromEntries(
        resources.schedules.targets.map((target) => [target.definition.id, target.functionArn]),
      ),
    },
  };
}

/** The environment one function gets locally: Lambda's own variables, then exactly what its wiring calls for. */
export function localFunctionEnvironment(
  fn: FunctionWiring,
  region: string,
  endpoints: LocalEndpoints,
  values: DeploymentValues,
): Record<string, string> {
  return { ...runtimeEnvironment(region, endpoints), ...functionEnvironment(fn, values) };
}

/**
 * For tests that load several handlers into one process (the integration tests): every wired function's
 * environment at once, each computed as the function gets it. The local platform never uses this; there each
 * function has only its own.
 */
export function combinedFunctionEnvironment(
  region: string,
  endpoints: LocalEndpoints,
  values: DeploymentValues,
): Record<string, string> {
  // Functions whose resources these tests did not make (live settings, a queue they send to) are left out.
  const functions = wiredFunctions().filter(
    (fn) =>
      (values.live || ((fn.access.ivs?.length ?? 0) === 0 && fn.access.liveTokens !== 'sign')) &&
      (fn.access.sendTo ?? []).every((queue) => values.queueUrls?.[queue] !== undefined),
  );
  return Object.assign(
    runtimeEnvironment(region, endpoints),
    ...functions.map((fn) => functionEnvironment(fn, values)),
  );
}
