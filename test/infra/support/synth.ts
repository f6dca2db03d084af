import assert from 'node:assert/strict';
import {
  type Dirent,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after } from 'node:test';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { addSkycast, applyCdkNag, type SkycastStacks } from '../../../lib/app.ts';
import {
  REPOSITORY_ROOT,
  type SkycastSettings,
  type Stage,
  settingsFor,
} from '../../../lib/shared/settings.ts';

/** The feature flags and context `cdk synth` runs with, so tests synthesize what the CLI would. */
export const cdkJsonContext: Record<string, unknown> = JSON.parse(
  readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8'),
).context;

/** A throwaway folder for one synthesis; removed by `dispose`. */
export function temporaryFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `skycast-${prefix}-`));
}

/** A web app folder like the one web/ provides: just the shell. */
export function makeWebAssets(): string {
  const folder = temporaryFolder('web');
  writeFileSync(join(folder, 'index.html'), '<!doctype html><title>Skycast</title><div id="app"></div>\n');
  mkdirSync(join(folder, 'assets'));
  writeFileSync(join(folder, 'assets', 'app.js'), 'console.log("skycast");\n');
  return folder;
}

/** A fresh App with cdk.json's context, writing into a temporary folder. */
export function testApp(options: { bundle?: boolean } = {}): App {
  return new App({
    outdir: temporaryFolder('cdk-out'),
    context: {
      ...cdkJsonContext,
      // Construct paths in the template metadata, as the CLI enables them; the nag tests use them.
      'aws:cdk:enable-path-metadata': true,
      // Skipping bundling keeps synthesis fast; function code does not change the templates under test.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

export interface SynthOptions {
  /** @default 'dev' */
  stage?: Stage;
  /** Replace single settings of the stage. `webAssetsPath` defaults to a temporary web app folder. */
  settings?: Partial<SkycastSettings>;
  /** Check with the cdk-nag packs, as bin/skycast.ts does. @default false */
  nag?: boolean;
}

/** One synthesized Skycast stage. */
export interface SynthesizedSkycast extends SkycastStacks {
  app: App;
  settings: SkycastSettings;
  assembly: CloudAssembly;
  /** Where the cloud assembly (templates, assets, nag reports) was written. */
  outdir: string;
  dataTemplate: Template;
  serviceTemplate: Template;
  /** Raw templates by stack name. */
  templates: Record<string, TemplateJson>;
  /** Absolute paths of the synthesized template files. */
  templateFiles: string[];
  /** Removes the temporary folders. */
  dispose(): void;
}

/**
 * A value read from a synthesized template. Templates are JSON without a static shape: tests read them field by
 * field and the assertions are what check the shape.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; the alternative is a cast on every line of every test.
export type Cfn = any;

/** `${name}`, the way `Fn::Sub` and {@link describeExpression} write a reference. */
export const ref = (name: string): string => `\${${name}}`;

export interface TemplateJson {
  Resources: Record<string, ResourceJson>;
  Outputs?: Record<string, { Value: Cfn; Description?: string; Export?: { Name: string } }>;
}

export interface ResourceJson {
  Type: string;
  Properties: Record<string, Cfn>;
  Metadata?: Record<string, Cfn>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

/** Synthesizes the whole app for one stage, once, into a temporary folder. */
export function synthSkycast(options: SynthOptions = {}): SynthesizedSkycast {
  const stage = options.stage ?? 'dev';
  const ownWebAssets = options.settings && 'webAssetsPath' in options.settings ? undefined : makeWebAssets();
  const settings = settingsFor(stage, { webAssetsPath: ownWebAssets, ...options.settings });
  const app = testApp();
  const stacks = addSkycast(app, settings);
  if (options.nag) applyCdkNag(app);
  const assembly = app.synth();

  const templates: Record<string, TemplateJson> = {};
  for (const artifact of assembly.stacks) templates[artifact.stackName] = artifact.template;
  return {
    ...stacks,
    app,
    settings,
    assembly,
    outdir: assembly.directory,
    dataTemplate: Template.fromJSON(assembly.getStackByName(stacks.data.stackName).template),
    serviceTemplate: Template.fromJSON(assembly.getStackByName(stacks.service.stackName).template),
    templates,
    templateFiles: assembly.stacks.map((artifact) => join(assembly.directory, artifact.templateFile)),
    dispose() {
      rmSync(assembly.directory, { recursive: true, force: true });
      if (ownWebAssets) rmSync(ownWebAssets, { recursive: true, force: true });
    },
  };
}

/** The logical id CloudFormation knows a construct's resource by. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const stack = Stack.of(element);
  return stack.resolve(stack.getLogicalId(element));
}

/**
 * What a cross-stack reference in a consumer template stands for in the producer's template: the value of
 * the output `Fn::GetStackOutput` (a weak reference) or `Fn::ImportValue` (an export) points at.
 */
export function crossStackValue(expression: unknown, templates: Record<string, TemplateJson>): unknown {
  const weak = (expression as { 'Fn::GetStackOutput'?: { StackName: string; OutputName: string } })[
    'Fn::GetStackOutput'
  ];
  if (weak) return templates[weak.StackName]?.Outputs?.[weak.OutputName]?.Value;
  const imported = (expression as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
  if (typeof imported === 'string') {
    for (const template of Object.values(templates)) {
      for (const output of Object.values(template.Outputs ?? {}) as {
        Value: unknown;
        Export?: { Name: string };
      }[]) {
        if (output.Export?.Name === imported) return output.Value;
      }
    }
  }
  return undefined;
}

/** The resources of one type in a raw template, by logical id. */
export function resourcesOfType(template: TemplateJson, type: string): Record<string, ResourceJson> {
  return Object.fromEntries(
    Object.entries(template.Resources).filter(([, resource]) => resource.Type === type),
  );
}

/**
 * A CloudFormation expression written the way `Fn::Sub` would: `${Logical.Attribute}`, `${Logical}`,
 * `${AWS::Region}`. Cross-stack references are followed to what they stand for in the producer, so a test can
 * say "the user pool's id" whichever way the reference is made.
 */
export function describeExpression(expression: unknown, templates: Record<string, TemplateJson>): string {
  if (typeof expression === 'string' || typeof expression === 'number') return String(expression);
  const value = expression as Cfn;
  if (typeof value.Ref === 'string') return ref(value.Ref);
  if (Array.isArray(value['Fn::GetAtt'])) return ref(value['Fn::GetAtt'].join('.'));
  if (Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => describeExpression(part, templates)).join(separator);
  }
  if (value['Fn::GetStackOutput'] || value['Fn::ImportValue']) {
    return describeExpression(crossStackValue(value, templates), templates);
  }
  return JSON.stringify(expression);
}

/** One file a BucketDeployment puts into its bucket, as synthesized (deploy-time values described). */
export interface DeployedFile {
  key: string;
  content: string;
}

/**
 * The files a `Custom::CDKBucketDeployment` resource deploys: read from the staged asset folders in the cloud
 * assembly, with the deploy-time markers of `Source.jsonData` replaced by {@link describeExpression}.
 */
export function deployedFiles(synth: SynthesizedSkycast, resource: ResourceJson): DeployedFile[] {
  const properties = resource.Properties as {
    SourceObjectKeys: string[];
    SourceMarkers?: Record<string, unknown>[];
  };
  return properties.SourceObjectKeys.flatMap((objectKey, index) => {
    const folder = join(synth.outdir, `asset.${objectKey.replace(/\.zip$/, '')}`);
    const markers = properties.SourceMarkers?.[index] ?? {};
    return (readdirSync(folder, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        let content = readFileSync(path, 'utf8');
        for (const [marker, expression] of Object.entries(markers)) {
          content = content.split(marker).join(describeExpression(expression, synth.templates));
        }
        return { key: relative(folder, path), content };
      });
  });
}

/** The service stack's template of a synthesized app. */
export const serviceOf = (synth: SynthesizedSkycast) => synth.templates[synth.service.stackName]!;

/** `describeExpression` against every template of the synthesized app. */
export const describe$ = (synth: SynthesizedSkycast, expression: unknown) =>
  describeExpression(expression, synth.templates);

/** The dev and prod stages, synthesized once for a test file and disposed after it. */
export function synthBothStages(): { dev: SynthesizedSkycast; prod: SynthesizedSkycast } {
  const dev = synthSkycast({ stage: 'dev' });
  const prod = synthSkycast({ stage: 'prod' });
  after(() => {
    dev.dispose();
    prod.dispose();
  });
  return { dev, prod };
}

/** A resource of the service stack, by logical id; fails the test if it is missing. */
export function resource(synth: SynthesizedSkycast, id: string): ResourceJson {
  const found = serviceOf(synth).Resources[id];
  assert.ok(found, `resource ${id}`);
  return found;
}

/** Every statement of the service stack's policies attached to a role. */
export function statementsOf(synth: SynthesizedSkycast, roleId: string): Cfn[] {
  return Object.values(resourcesOfType(serviceOf(synth), 'AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((role: Cfn) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** A policy statement's actions as a list. */
export const actionsOf = (statement: Cfn): string[] => [statement.Action].flat();
