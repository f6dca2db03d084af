/**
 * Each function's IAM policy as the CDK app synthesizes it: the service stack is synthesized in this process
 * (functions not bundled, as the infra tests do), and every statement attached to each function's role is
 * taken from the template, with its references written as placeholders for what they stand for
 * (`${table.Arn}`, `${bucket:uploads.Arn}`, `${AWS::Region}`), so `local-policies.ts` can fill in the ARNs of
 * the local resources. Cross-stack references are followed to the data stack's resources.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Route } from '#contract/routes.ts';
import { addSkycast } from '../../lib/app.ts';
import { applicationName, REPOSITORY_ROOT, settingsFor } from '../../lib/shared/settings.ts';

/** A policy statement whose values are strings with placeholders. */
export type TemplatedStatement = Record<string, unknown>;

/**
 * The synthesized policies, by local function key: `route:<operationId>`, `queue:<id>`, `rule:<id>`,
 * `schedule:<id>`, `manifest`.
 */
export interface SynthesizedPolicies {
  functions: Record<string, TemplatedStatement[]>;
}

type Json = unknown;

/** The stage's application name in a statement (a tag condition) stands for the local application's. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder of local-policies.ts, not a template.
const APPLICATION_PLACEHOLDER = '${application}';

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
}

function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const stack = Stack.of(element);
  return stack.resolve(stack.getLogicalId(element)) as string;
}

/** Synthesizes the app (stage `dev`, optionally with another route table) and extracts every function's policy. */
export function synthesizePolicies(options: { routes?: readonly Route[] } = {}): SynthesizedPolicies {
  const outdir = mkdtempSync(join(tmpdir(), 'skycast-iam-cdk-'));
  const webAssets = mkdtempSync(join(tmpdir(), 'skycast-iam-web-'));
  try {
    writeFileSync(join(webAssets, 'index.html'), '<!doctype html><title>Skycast</title>\n');
    const context = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).context;
    // No bundling: function code does not change the policies.
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const settings = settingsFor('dev', { webAssetsPath: webAssets });
    const { data, service } = addSkycast(app, settings, options.routes ? { routes: options.routes } : {});
    const assembly = app.synth();
    const templates: Record<string, Template> = {};
    for (const artifact of assembly.stacks) templates[artifact.stackName] = artifact.template as Template;

    // What each referenced resource is, locally.
    const symbols = new Map<string, string>();
    const name = (construct: IConstruct, symbol: string) =>
      symbols.set(`${Stack.of(construct).stackName}/${logicalIdOf(construct)}`, symbol);
    name(data.catalog.table, 'table');
    for (const [role, bucket] of Object.entries(data.storage.buckets)) name(bucket, `bucket:${role}`);
    name(data.accounts.userPool, 'userPool');
    name(data.accounts.webClient, 'userPoolClient');
    name(data.live.recordingConfiguration, 'recordingConfiguration');
    name(data.live.playbackKeySecret, 'livePlaybackKeySecret');
    name(service.playbackKey.secret, 'playbackKeySecret');
    name(service.mediaConvertRole.role, 'mediaConvertRole');
    for (const [id, pipeline] of Object.entries(service.pipelines.queues))
      name(pipeline.queue, `queue:${id}`);
    name(service.pipelines.scheduledTargets.group, 'scheduleGroup');
    name(service.pipelines.scheduledTargets.role, 'schedulerRole');

    const application = applicationName(settings.stage);
    const toTemplate = (value: Json, stackName: string): Json => {
      if (typeof value === 'string') return value === application ? APPLICATION_PLACEHOLDER : value;
      if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
      if (Array.isArray(value)) return value.map((item) => toTemplate(item, stackName));
      const object = value as Record<string, Json>;
      const symbolOf = (logicalId: string) =>
        symbols.get(`${stackName}/${logicalId}`) ?? `unknown:${logicalId}`;
      if (typeof object.Ref === 'string')
        return object.Ref.startsWith('AWS::') ? `\${${object.Ref}}` : `\${${symbolOf(object.Ref)}}`;
      if (Array.isArray(object['Fn::GetAtt'])) {
        const [id, attribute] = object['Fn::GetAtt'] as [string, string];
        return `\${${symbolOf(id)}.${attribute}}`;
      }
      if (Array.isArray(object['Fn::Join'])) {
        const [separator, parts] = object['Fn::Join'] as [string, Json[]];
        return parts.map((part) => String(toTemplate(part, stackName))).join(separator);
      }
      if (object['Fn::Sub'] !== undefined) {
        const [text, variables] = (
          Array.isArray(object['Fn::Sub']) ? object['Fn::Sub'] : [object['Fn::Sub'], {}]
        ) as [string, Record<string, Json>];
        return text.replace(/\$\{([^}!]+)\}/g, (_match, reference: string) => {
          if (variables[reference] !== undefined) return String(toTemplate(variables[reference], stackName));
          if (reference.startsWith('AWS::')) return `\${${reference}}`;
          const [id, attribute] = reference.split('.') as [string, string | undefined];
          return `\${${symbolOf(id)}${attribute ? `.${attribute}` : ''}}`;
        });
      }
      const weak = object['Fn::GetStackOutput'] as { StackName: string; OutputName: string } | undefined;
      if (weak) {
        const producer = templates[weak.StackName]?.Outputs?.[weak.OutputName]?.Value;
        return producer === undefined
          ? `\${unknown:${weak.OutputName}}`
          : toTemplate(producer, weak.StackName);
      }
      if (typeof object['Fn::ImportValue'] === 'string') {
        for (const [producerName, template] of Object.entries(templates)) {
          for (const output of Object.values(template.Outputs ?? {})) {
            if (output.Export?.Name === object['Fn::ImportValue'])
              return toTemplate(output.Value, producerName);
          }
        }
        return `\${unknown:${object['Fn::ImportValue']}}`;
      }
      return Object.fromEntries(
        Object.entries(object).map(([key, item]) => [key, toTemplate(item, stackName)]),
      );
    };

    const serviceTemplate = templates[service.stackName] as Template;
    const statementsOfRole = (roleId: string): TemplatedStatement[] => {
      const attached = (roles: Json) =>
        Array.isArray(roles) && roles.some((role) => (role as { Ref?: string }).Ref === roleId);
      const documents: Json[] = [];
      for (const resource of Object.values(serviceTemplate.Resources)) {
        const properties = resource.Properties ?? {};
        if (
          (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') &&
          attached(properties.Roles)
        )
          documents.push(properties.PolicyDocument);
      }
      const role = serviceTemplate.Resources[roleId];
      for (const inline of (role?.Properties?.Policies as { PolicyDocument: Json }[] | undefined) ?? [])
        documents.push(inline.PolicyDocument);
      if (role?.Properties?.ManagedPolicyArns)
        throw new Error(
          `The role ${roleId} has managed policies the local platform cannot read; attach statements instead.`,
        );
      return documents.flatMap(
        (document) =>
          toTemplate(
            (document as { Statement: Json[] }).Statement,
            service.stackName,
          ) as TemplatedStatement[],
      );
    };
    const functions: Record<string, TemplatedStatement[]> = {};
    const add = (key: string, fn: { role?: IConstruct }) => {
      if (!fn.role) throw new Error(`${key} has no role`);
      functions[key] = statementsOfRole(logicalIdOf(fn.role));
    };
    for (const [operationId, fn] of Object.entries(service.api.functions)) add(`route:${operationId}`, fn);
    for (const [id, pipeline] of Object.entries(service.pipelines.queues))
      add(`queue:${id}`, pipeline.function);
    for (const [id, pipeline] of Object.entries(service.pipelines.eventRules))
      add(`rule:${id}`, pipeline.function);
    for (const [id, fn] of Object.entries(service.pipelines.scheduledTargets.functions))
      if (fn) add(`schedule:${id}`, fn);
    add('manifest', service.media.manifestFunction);
    return { functions };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(webAssets, { recursive: true, force: true });
  }
}
