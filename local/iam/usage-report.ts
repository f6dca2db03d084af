/**
 * Used against granted: for each function, the actions its policy grants, the ones it called, and the grants
 * it never used, so policies can shrink (a report to read, not a check).
 */
import type { CalledActions } from './gateway.ts';

export interface FunctionUsage {
  functionName: string;
  granted: string[];
  used: string[];
  denied: string[];
  /** Granted actions no call used (a wildcard grant counts as used when a call matched it). */
  unused: string[];
}

/** Does an IAM action pattern (`s3:Get*`) match an action? */
function actionMatches(pattern: string, action: string): boolean {
  const expression = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    'i',
  );
  return expression.test(action);
}

export function usageOf(
  functionName: string,
  granted: string[],
  calls: CalledActions | undefined,
): FunctionUsage {
  const used = [...(calls?.allowed.keys() ?? [])].sort();
  const denied = [
    ...new Set((calls?.denied ?? []).map((denial) => denial.action ?? '(unmapped request)')),
  ].sort();
  // Logs and traces are written by Lambda's runtime and X-Ray daemon, not by calls through the gateway.
  const relevant = granted.filter((action) => !/^(logs|xray):/.test(action));
  return {
    functionName,
    granted: relevant,
    used,
    denied,
    unused: relevant.filter((grant) => !used.some((action) => actionMatches(grant, action))),
  };
}

/** A plain-text table: one block per function, used / granted, and the grants never used. */
export function formatUsageReport(usage: readonly FunctionUsage[]): string {
  const lines = [
    'IAM on the local platform: actions each function called, against what its policy grants',
    '',
  ];
  for (const entry of [...usage].sort((a, b) => a.functionName.localeCompare(b.functionName))) {
    lines.push(`${entry.functionName}  (${entry.used.length} used of ${entry.granted.length} granted)`);
    lines.push(`  used:    ${entry.used.join(', ') || '—'}`);
    if (entry.denied.length > 0) lines.push(`  DENIED:  ${entry.denied.join(', ')}`);
    lines.push(`  unused:  ${entry.unused.join(', ') || '—'}`);
  }
  return lines.join('\n');
}
