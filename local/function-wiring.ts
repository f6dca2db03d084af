/**
 * The local platform's functions as Lambda runs them in the cloud: each one's key in the synthesized app, its
 * name and its wiring; the local IAM gateway that checks every AWS call they make against what each is
 * granted; and the environment each one gets, and nothing of any other's.
 */
import type { DeploymentValues } from '#contract/environment.ts';
import {
  MANIFEST_FUNCTION,
  pipelineFunction,
  routeFunction,
  type WiredFunction,
} from '#contract/functions.ts';
import type { Route } from '#contract/routes.ts';
import { localFunctionEnvironment } from './function-environment.ts';
import { type LocalIam, startLocalIam } from './iam/index.ts';
import { LOCAL_ACCOUNT_ID } from './lambda.ts';
import type { LocalLive } from './live.ts';
import type { ProvisionedResources } from './provision.ts';

/** One function of the wiring tables, as the platform runs it. */
export interface PlatformFunction {
  /**
   * Its construct's key in the synthesized app: `route:<operationId>`, `queue:<id>`, `rule:<id>`,
   * `schedule:<id>`, `manifest`.
   */
  key: string;
  /** Its function name, as deployed. */
  name: string;
  wiring: WiredFunction;
}

/** The key of a route's function in the synthesized app. */
export const routeFunctionKey = (route: Route) => `route:${route.operation.operationId}`;

/** Every function the platform runs: one per route, one per queue and event rule, and the manifest function. */
export function platformFunctions(
  routes: readonly Route[],
  resources: ProvisionedResources,
): PlatformFunction[] {
  return [
    ...routes.map((route) => ({
      key: routeFunctionKey(route),
      name: `skycast-${route.operation.operationId}`,
      wiring: routeFunction(route),
    })),
    ...resources.queues.map((queue) => ({
      key: `queue:${queue.definition.id}`,
      name: `${resources.application}-${queue.definition.id}`,
      wiring: pipelineFunction(queue.definition),
    })),
    ...resources.eventRules.map((rule) => ({
      key: `rule:${rule.definition.id}`,
      name: `${resources.application}-${rule.definition.id}`,
      wiring: pipelineFunction(rule.definition),
    })),
    ...resources.schedules.targets.map((target) => ({
      key: `schedule:${target.definition.id}`,
      name: target.functionName,
      wiring: pipelineFunction(target.definition),
    })),
    { key: MANIFEST_FUNCTION.id, name: 'skycast-manifest', wiring: MANIFEST_FUNCTION },
  ];
}

/** Where the services the functions call answer on this machine. */
export interface ServiceEndpoints {
  moto: string;
  mediaConvert: string;
  ivs: string;
}

/** Starts the local IAM gateway in front of the services, with every function's synthesized policy. */
export function startFunctionIam(settings: {
  resources: ProvisionedResources;
  live: LocalLive['values'];
  services: ServiceEndpoints;
  functions: readonly PlatformFunction[];
  /** A route table other than the contract's, to synthesize the policies from (IAM tests). */
  routes?: readonly Route[];
  log: (line: string) => void;
}): Promise<LocalIam> {
  const { resources, live, services } = settings;
  return startLocalIam({
    resources: {
      region: resources.region,
      accountId: LOCAL_ACCOUNT_ID,
      application: resources.application,
      tableName: resources.tableName,
      bucketNames: resources.bucketNames,
      userPoolId: resources.userPoolId,
      userPoolClientId: resources.userPoolClientId,
      recordingConfigurationArn: live.recordingConfigurationArn,
      livePlaybackKeySecretArn: live.keySecretArn,
      playbackKeySecretArn: resources.playbackKey.secretArn,
      mediaConvertRoleArn: resources.mediaConvertRoleArn,
      queueArns: Object.fromEntries(resources.queues.map((queue) => [queue.definition.id, queue.arn])),
      scheduleGroupName: resources.schedules.groupName,
      schedulerRoleArn: resources.schedules.roleArn,
    },
    upstreams: {
      default: services.moto,
      byService: {
        dynamodb: services.moto,
        mediaconvert: services.mediaConvert,
        ivs: services.ivs,
      },
    },
    functions: settings.functions.map(({ key, name }) => ({ key, name })),
    ...(settings.routes ? { routes: settings.routes } : {}),
    onDenial: (denial) => console.error(`✖ IAM denied ${denial.functionName}: ${denial.message}`),
    onSynthesis: (ms) =>
      settings.log(
        `ℹ synthesized the functions' IAM policies in ${(ms / 1000).toFixed(1)} s (cached in .skycast/)`,
      ),
  });
}

/**
 * What Lambda gives each function: its own variables, as the contract's functionEnvironment computes them
 * from its wiring (the same function the CDK uses), the local endpoints and, with IAM on, its own credentials.
 * The answer looks a function up by its key and throws for a key that names none.
 */
export function functionEnvironments(settings: {
  functions: readonly PlatformFunction[];
  region: string;
  services: ServiceEndpoints;
  values: DeploymentValues;
  quiet: boolean;
  iam?: LocalIam;
}): (key: string) => Record<string, string> {
  const { services, iam } = settings;
  const wiring = new Map(settings.functions.map((fn) => [fn.key, fn.wiring]));
  const endpoints = {
    endpoint: services.moto,
    services: {
      AWS_ENDPOINT_URL_MEDIACONVERT: services.mediaConvert,
      AWS_ENDPOINT_URL_IVS: services.ivs,
    },
  };
  return (key) => {
    const fn = wiring.get(key);
    if (!fn) throw new Error(`No function of the wiring tables is known as ${key}.`);
    return {
      ...localFunctionEnvironment(fn, settings.region, endpoints, settings.values),
      // The console shows one line per request; handler logs appear for warnings and errors unless asked for.
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? (settings.quiet ? 'SILENT' : 'WARN'),
      ...iam?.environmentOf(key),
    };
  };
}
