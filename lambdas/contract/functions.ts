/**
 * Every function the wiring tables declare, in one list: the API's routes, the queues' and event rules'
 * functions, and the manifest Lambda behind CloudFront. The local platform runs exactly these, each with the
 * environment `functionEnvironment` gives it; the CDK app builds them from the same tables.
 */
import type { FunctionAccess } from './access.ts';
import type { FunctionKind, FunctionWiring } from './environment.ts';
import {
  type EventRuleDefinition,
  eventRules,
  type QueueDefinition,
  queues,
  type ScheduledTargetDefinition,
  scheduledTargets,
} from './pipelines.ts';
import { type Route, routes } from './routes.ts';

/** A function of the wiring tables. */
export interface WiredFunction extends FunctionWiring {
  /** Stable id: the route's operationId, the queue's or event rule's id, or `manifest`. */
  id: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  kind: FunctionKind;
  access: FunctionAccess;
  /** @default 10, the house function's default */
  timeoutSeconds?: number;
}

/**
 * The manifest Lambda, which the CDK deploys behind a function URL and the local media server invokes: it reads
 * the source playlists it cuts and filters from both media buckets.
 */
export const MANIFEST_FUNCTION = {
  id: 'manifest',
  entry: 'lambdas/delivery/manifest-handler.ts',
  kind: 'origin',
  serviceName: 'skycast-delivery',
  access: { buckets: { media: ['read'], recordings: ['read'] } },
} as const satisfies WiredFunction;

/**
 * Powertools' service name for a function: `skycast-<capability>` from its handler's folder
 * (`lambdas/transcoding/submit.ts` → `skycast-transcoding`), or `skycast-<fallback>` for an entry elsewhere.
 */
export function serviceNameOf(entry: string, fallback: string): string {
  const capability = /(?:^|\/)lambdas\/([^/]+)\/[^/]+$/.exec(entry)?.[1];
  return `skycast-${capability ?? fallback}`;
}

/** A route's function: named by its operationId, its service by the operation's tag. */
export function routeFunction(route: Route): WiredFunction {
  return {
    id: route.operation.operationId,
    entry: route.entry,
    kind: 'api',
    serviceName: `skycast-${route.operation.tag}`,
    access: route.access,
  };
}

/** A queue's or event rule's function: named by the definition's id, its service by its handler's folder. */
export function pipelineFunction(
  definition: QueueDefinition | EventRuleDefinition | ScheduledTargetDefinition,
): WiredFunction {
  return {
    id: definition.id,
    entry: definition.entry,
    kind: 'pipeline',
    serviceName: serviceNameOf(definition.entry, definition.id),
    access: definition.access,
    timeoutSeconds: definition.functionTimeoutSeconds,
  };
}

/** All functions of the wiring tables, routes first. */
export function wiredFunctions(
  tables: {
    routes?: readonly Route[];
    queues?: typeof queues;
    eventRules?: typeof eventRules;
    scheduledTargets?: typeof scheduledTargets;
  } = {},
): WiredFunction[] {
  return [
    ...(tables.routes ?? routes).map(routeFunction),
    ...(tables.queues ?? queues).map(pipelineFunction),
    ...(tables.eventRules ?? eventRules).map(pipelineFunction),
    ...(tables.scheduledTargets ?? scheduledTargets).map(pipelineFunction),
    MANIFEST_FUNCTION,
  ];
}
