/**
 * The used-against-granted records of a test run: each platform that stops adds what its functions called to
 * a folder (SKYCAST_IAM_USAGE_DIR, set by `npm run test:e2e`), and the run prints them merged at the end.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionUsage } from './usage-report.ts';

/** Where platforms record their functions' calls, when set. */
export const IAM_USAGE_DIR_ENV = 'SKYCAST_IAM_USAGE_DIR';

let recorded = 0;

/** Adds this platform's usage to the run's folder, if the run keeps one. */
export function recordUsage(usage: readonly FunctionUsage[], folder = process.env[IAM_USAGE_DIR_ENV]): void {
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${process.pid}-${recorded++}.json`), JSON.stringify(usage));
}

/** Every platform's usage in the folder, merged per function (used and denied actions united). */
export function mergedUsage(folder: string): FunctionUsage[] {
  const merged = new Map<string, FunctionUsage>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.json'))) {
    for (const entry of JSON.parse(readFileSync(join(folder, file), 'utf8')) as FunctionUsage[]) {
      const known = merged.get(entry.functionName);
      if (!known) {
        merged.set(entry.functionName, { ...entry });
        continue;
      }
      known.used = [...new Set([...known.used, ...entry.used])].sort();
      known.denied = [...new Set([...known.denied, ...entry.denied])].sort();
      known.unused = known.unused.filter((action) => entry.unused.includes(action));
    }
  }
  return [...merged.values()];
}
