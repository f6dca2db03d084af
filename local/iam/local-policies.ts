/**
 * Every local function's IAM policy: the synthesized statements (`policy-synthesis.ts`, cached on disk under
 * `.skycast/iam-policies/`, keyed by a hash of what they are made from, since synthesis takes seconds) with
 * their placeholders filled in with the ARNs of the local resources. A resource that has no local counterpart
 * (a log group, X-Ray) leaves the statement; a statement left with no resource goes.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import type { Route } from '#contract/routes.ts';
import { REPOSITORY_ROOT } from '../../lib/shared/settings.ts';
import type { PolicyDocument } from './policy-evaluator.ts';
import type { SynthesizedPolicies, TemplatedStatement } from './policy-synthesis.ts';

/** The names and ARNs of the local resources the placeholders stand for. */
export interface LocalResourceArns {
  region: string;
  accountId: string;
  application: string;
  tableName: string;
  bucketNames: Record<string, string>;
  userPoolId: string;
  userPoolClientId: string;
  recordingConfigurationArn: string;
  livePlaybackKeySecretArn: string;
  playbackKeySecretArn: string;
  mediaConvertRoleArn: string;
  /** By queue definition id. */
  queueArns: Record<string, string>;
  /** The one-time schedules' group, and the role Scheduler invokes their targets with. */
  scheduleGroupName: string;
  schedulerRoleArn: string;
}

/** What the policies are made from: the CDK app, the wiring it reads, this folder, the locked dependencies. */
const INPUTS = ['lib', 'lambdas/contract', 'local/iam', 'package-lock.json', 'cdk.json'];

function filesUnder(path: string): string[] {
  const absolute = join(REPOSITORY_ROOT, path);
  if (!existsSync(absolute)) return [];
  if (statSync(absolute).isFile()) return [absolute];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .map((file) => join(absolute, file))
    .filter((file) => statSync(file).isFile())
    .sort();
}

/** A hash of every input, and of the route table when another one is given. */
export function policyInputsHash(routes?: readonly Route[]): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder)) {
    hash.update(relative(REPOSITORY_ROOT, file));
    hash.update(readFileSync(file));
  }
  if (routes) {
    hash.update(
      JSON.stringify(routes.map((route) => [route.operation.operationId, route.entry, route.access])),
    );
  }
  return hash.digest('hex').slice(0, 32);
}

const CACHE_FOLDER = join(REPOSITORY_ROOT, '.skycast', 'iam-policies');

/**
 * The synthesized policies: from the cache when the inputs have not changed, otherwise synthesized (aws-cdk-lib
 * is loaded only then) and cached.
 */
export async function synthesizedPolicies(
  options: { routes?: readonly Route[]; onSynthesis?: (milliseconds: number) => void } = {},
): Promise<SynthesizedPolicies> {
  const file = join(CACHE_FOLDER, `${policyInputsHash(options.routes)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SynthesizedPolicies;
  const started = Date.now();
  const { synthesizePolicies } = await import('./policy-synthesis.ts');
  const policies = synthesizePolicies(options.routes ? { routes: options.routes } : {});
  options.onSynthesis?.(Date.now() - started);
  mkdirSync(CACHE_FOLDER, { recursive: true });
  // Written whole, then renamed: platforms starting side by side never read half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(policies));
  renameSync(partial, file);
  return policies;
}

function placeholders(arns: LocalResourceArns): Map<string, string> {
  const { region, accountId } = arns;
  const values = new Map<string, string>([
    ['AWS::Region', region],
    ['AWS::AccountId', accountId],
    ['AWS::Partition', 'aws'],
    ['AWS::URLSuffix', 'amazonaws.com'],
    ['application', arns.application],
    ['table', arns.tableName],
    ['table.Arn', `arn:aws:dynamodb:${region}:${accountId}:table/${arns.tableName}`],
    ['userPool', arns.userPoolId],
    ['userPool.Arn', `arn:aws:cognito-idp:${region}:${accountId}:userpool/${arns.userPoolId}`],
    ['userPoolClient', arns.userPoolClientId],
    ['recordingConfiguration.Arn', arns.recordingConfigurationArn],
    ['livePlaybackKeySecret', arns.livePlaybackKeySecretArn],
    ['playbackKeySecret', arns.playbackKeySecretArn],
    ['mediaConvertRole.Arn', arns.mediaConvertRoleArn],
    ['scheduleGroup', arns.scheduleGroupName],
    ['schedulerRole.Arn', arns.schedulerRoleArn],
  ]);
  for (const [role, name] of Object.entries(arns.bucketNames)) {
    values.set(`bucket:${role}`, name);
    values.set(`bucket:${role}.Arn`, `arn:aws:s3:::${name}`);
  }
  for (const [id, arn] of Object.entries(arns.queueArns)) values.set(`queue:${id}.Arn`, arn);
  return values;
}

/** A templated value with its placeholders filled in, or undefined if one has no local counterpart. */
function fill(value: unknown, values: Map<string, string>): unknown {
  if (typeof value === 'string') {
    let missing = false;
    const filled = value.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
      const found = values.get(name);
      if (found === undefined) missing = true;
      return found ?? '';
    });
    return missing ? undefined : filled;
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, values));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
  return value;
}

function hasGap(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some(hasGap);
  if (value && typeof value === 'object') return Object.values(value).some(hasGap);
  return false;
}

/** One function's policy document with the local ARNs. */
export function localPolicy(
  statements: readonly TemplatedStatement[],
  arns: LocalResourceArns,
): PolicyDocument {
  const values = placeholders(arns);
  const resolved = statements.flatMap((statement) => {
    const resources = [statement.Resource].flat().map((resource) => fill(resource, values));
    const kept = resources.filter((resource): resource is string => typeof resource === 'string');
    if (kept.length === 0) return [];
    if (statement.Condition === undefined) return [{ ...statement, Resource: kept }];
    // A condition naming something that has no local counterpart could never hold: the statement goes.
    const condition = fill(statement.Condition, values);
    if (hasGap(condition)) return [];
    return [{ ...statement, Resource: kept, Condition: condition }];
  });
  return { Version: '2012-10-17', Statement: resolved };
}
