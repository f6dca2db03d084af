/**
 * Each local function's own identity: an access key id the gateway recognises it by (signed into every AWS
 * call it makes, as a Lambda role's session credentials are), the assumed-role principal AWS would name in an
 * AccessDenied message, and the identity policy of its role.
 */
import { createHash } from 'node:crypto';
import type { PolicyDocument } from './policy-evaluator.ts';

export interface FunctionIdentity {
  functionName: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>`, as AWS names a Lambda function's session. */
  principal: string;
  policy: PolicyDocument;
}

/** Letters and digits only (some DynamoDB emulators refuse anything else), and `ASIA` as session keys begin. */
function keyFor(purpose: string, functionName: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(`${purpose}:${functionName}`).digest();
  return [...digest.subarray(0, length)].map((byte) => alphabet[byte % 32]).join('');
}

/** The function's identity, derived from its name (stable across starts, distinct per function). */
export function functionIdentity(
  functionName: string,
  policy: PolicyDocument,
  accountId: string,
): FunctionIdentity {
  return {
    functionName,
    accessKeyId: `ASIA${keyFor('access-key', functionName, 16)}`,
    secretAccessKey: keyFor('secret', functionName, 32),
    principal: `arn:aws:sts::${accountId}:assumed-role/${functionName}-role/${functionName}`,
    policy,
  };
}

/** The credentials a function signs with, as Lambda puts its role's session into the environment. */
export function credentialsEnvironment(identity: FunctionIdentity): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: identity.accessKeyId, AWS_SECRET_ACCESS_KEY: identity.secretAccessKey };
}

/** Every action the policy allows, as written (wildcards kept), sorted. */
export function grantedActions(policy: PolicyDocument): string[] {
  const actions = policy.Statement.filter((statement) => statement.Effect === 'Allow').flatMap((statement) =>
    [statement.Action].flat().filter((action): action is string => typeof action === 'string'),
  );
  return [...new Set(actions)].sort();
}
