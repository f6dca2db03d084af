import { Annotations, type App, Aspects, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { applicationName, DEFAULT_WEB_ASSETS, type SkycastSettings } from './shared/settings.ts';
import { DataStack } from './stacks/data-stack.ts';
import { ServiceStack, type ServiceStackProps } from './stacks/service-stack.ts';

/** The stacks of one Skycast stage. */
export interface SkycastStacks {
  data: DataStack;
  service: ServiceStack;
}

/**
 * Adds a Skycast stage to `app`: `skycast-<stage>-data` (stateful) and `skycast-<stage>-service`
 * (stateless), environment-agnostic so synthesis needs no AWS account.
 */
export function addSkycast(
  app: App,
  settings: SkycastSettings,
  /** @default the route table in lambdas/contract/routes.ts */
  options: { routes?: ServiceStackProps['routes'] } = {},
): SkycastStacks {
  const prefix = applicationName(settings.stage);
  const data = new DataStack(app, `${prefix}-data`, {
    settings,
    description: `Skycast (${settings.stage}): user pool, catalog table, media buckets`,
    terminationProtection: settings.deletionProtection,
  });
  const service = new ServiceStack(app, `${prefix}-service`, {
    settings,
    data,
    ...(options.routes ? { routes: options.routes } : {}),
    description: `Skycast (${settings.stage}): functions, HTTP API, web app`,
  });
  for (const stack of [data, service]) {
    Tags.of(stack).add('project', 'skycast');
    Tags.of(stack).add('stage', settings.stage);
  }
  if (!settings.webAssetsPath) {
    Annotations.of(service).addWarningV2(
      'skycast:web-assets-missing',
      `No web app files at ${DEFAULT_WEB_ASSETS}: only /config.json and /openapi.json will be deployed. ` +
        'Build the web app, or pass -c webAssets=<folder>.',
    );
  }
  return { data, service };
}

/**
 * Checks every stack of `app` with the cdk-nag AwsSolutions and Serverless packs. A finding that is not
 * suppressed (each suppression sits next to its resource, with its reason) is an error or warning annotation,
 * and an error fails `cdk synth`.
 */
export function applyCdkNag(app: App): void {
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  Aspects.of(app).add(new ServerlessChecks({ verbose: true }));
}
