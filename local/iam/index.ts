/**
 * IAM on the local platform: every function's policy (synthesized by the CDK app, with the local ARNs), an
 * identity per function, and the gateway that checks each of their AWS calls. On unless SKYCAST_LOCAL_IAM=off.
 */
import type { Route } from '#contract/routes.ts';
import type { Upstreams } from './gateway.ts';
import { type Denial, type RunningGateway, startIamGateway } from './gateway.ts';
import {
  credentialsEnvironment,
  type FunctionIdentity,
  functionIdentity,
  grantedActions,
} from './identities.ts';
import { type LocalResourceArns, localPolicy, synthesizedPolicies } from './local-policies.ts';
import { localIvsTags } from './resource-tags.ts';
import { type FunctionUsage, usageOf } from './usage-report.ts';

export type { Denial } from './gateway.ts';
export type { LocalResourceArns } from './local-policies.ts';
export { type FunctionUsage, formatUsageReport } from './usage-report.ts';

/** The environment variable that turns the local IAM check off (`off`). */
export const LOCAL_IAM_ENV = 'SKYCAST_LOCAL_IAM';

/** Is the local IAM check on? It is unless SKYCAST_LOCAL_IAM is `off` (or `false`, `0`). */
export function localIamEnabled(environment: NodeJS.ProcessEnv = process.env): boolean {
  return !['off', 'false', '0'].includes((environment[LOCAL_IAM_ENV] ?? '').toLowerCase());
}

export interface LocalIamSettings {
  resources: LocalResourceArns;
  upstreams: Upstreams;
  /** The local functions: each one's key in the synthesized app (`route:<operationId>`, …) and its name. */
  functions: readonly { key: string; name: string }[];
  /** @default the route table; synthesized with this one instead (a test that removes a grant). */
  routes?: readonly Route[];
  onDenial?: (denial: Denial) => void;
  /** Told how long synthesizing took, when the cache could not answer. */
  onSynthesis?: (milliseconds: number) => void;
}

export interface LocalIam {
  /** Where the functions' AWS calls go: AWS_ENDPOINT_URL and every AWS_ENDPOINT_URL_<SERVICE>. */
  endpoint: string;
  /** What a function's environment gets from IAM: its endpoints (the gateway) and its own credentials. */
  environmentOf(key: string): Record<string, string>;
  /** Each function's granted actions next to the ones it called. */
  usage(): FunctionUsage[];
  /** Every request denied so far, in order. */
  denials(): Denial[];
  stop(): Promise<void>;
}

/** The endpoint variables the functions' SDK clients read, all pointed at the gateway. */
const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_MEDIACONVERT',
  'AWS_ENDPOINT_URL_IVS',
];

export async function startLocalIam(settings: LocalIamSettings): Promise<LocalIam> {
  const synthesized = await synthesizedPolicies({
    ...(settings.routes ? { routes: settings.routes } : {}),
    ...(settings.onSynthesis ? { onSynthesis: settings.onSynthesis } : {}),
  });
  const identities = new Map<string, FunctionIdentity>();
  for (const { key, name } of settings.functions) {
    const statements = synthesized.functions[key];
    if (!statements) throw new Error(`The synthesized app has no function for ${key} (${name}).`);
    identities.set(
      key,
      functionIdentity(name, localPolicy(statements, settings.resources), settings.resources.accountId),
    );
  }
  const ivsEndpoint = settings.upstreams.byService?.ivs;
  // Channels and stream keys are granted by their application tag: the gateway reads their tags from the IVS.
  const ivsTags = ivsEndpoint
    ? localIvsTags({ endpoint: ivsEndpoint, region: settings.resources.region })
    : undefined;
  const gateway: RunningGateway = await startIamGateway({
    upstreams: settings.upstreams,
    scope: { region: settings.resources.region, accountId: settings.resources.accountId },
    identities: [...identities.values()],
    ...(ivsTags ? { resourceTags: ivsTags.lookup } : {}),
    ...(settings.onDenial ? { onDenial: settings.onDenial } : {}),
  });
  return {
    endpoint: gateway.endpoint,
    environmentOf(key) {
      const identity = identities.get(key);
      if (!identity) throw new Error(`No IAM identity for ${key}`);
      return {
        ...Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, gateway.endpoint])),
        ...credentialsEnvironment(identity),
      };
    },
    usage: () =>
      [...identities.values()].map((identity) =>
        usageOf(
          identity.functionName,
          grantedActions(identity.policy),
          gateway.calls().get(identity.functionName),
        ),
      ),
    denials: () => [...gateway.calls().values()].flatMap((calls) => calls.denied),
    stop: async () => {
      await gateway.stop();
      ivsTags?.close();
    },
  };
}
