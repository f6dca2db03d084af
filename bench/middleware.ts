/**
 * middleware: the HTTP middleware stack alone, no I/O. getMe and updatePreferences are built with
 * `createHandler` over in-memory stores and the REAL Cognito access token verifier (RS256, JWKS fetched once
 * from moto and cached, then moto is stopped), and invoked back to back with API Gateway v2 events.
 * The work happens in bench/support/middleware-worker.ts, a process of its own whose logs go to /dev/null.
 */

import { exited, forkModule, nextMessage } from './support/child.ts';
import type { MiddlewareSettings, VariantResult } from './support/middleware-worker.ts';
import type { BenchRow } from './support/report.ts';
import { round } from './support/stats.ts';

const settings: MiddlewareSettings = { warmupMs: 1500, measureMs: 4000 };

const labels: Record<string, string> = {
  verify: 'access token verification alone',
  getMe: 'getMe through the middleware',
  updatePreferences: 'updatePreferences (JSON body, validated)',
};

export async function middleware(): Promise<BenchRow[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' };
  delete env.POWERTOOLS_DEV;
  delete env.AWS_ENDPOINT_URL;
  const child = forkModule(new URL('./support/middleware-worker.ts', import.meta.url).pathname, {
    stdout: 'ignore',
    env,
  });
  try {
    const done = nextMessage<{ type: 'result'; results: VariantResult[] }>(child, 'result');
    child.send({ type: 'start', settings });
    const { results } = await done;
    return results.flatMap((result): BenchRow[] => {
      const label = labels[result.name] ?? result.name;
      const detail = {
        invocations: result.invocations,
        elapsedMs: round(result.elapsedMs, 1),
        microseconds: Object.fromEntries(
          Object.entries(result.micros).map(([key, value]) => [key, round(value, 1)]),
        ),
      };
      return [
        {
          metric: `${label}: invocations/s`,
          value: Math.round(result.perSecond),
          unit: '1/s',
          note:
            'one caller, back to back, after warm-up; JSON logs at INFO formatted and written to /dev/null; ' +
            'in-memory ProfileStore/UserDirectory/revocation check (in AWS: DynamoDB and Cognito calls)',
          detail,
        },
        { metric: `${label}: p50`, value: round(result.micros.p50, 1), unit: 'µs' },
        { metric: `${label}: p99`, value: round(result.micros.p99, 1), unit: 'µs' },
      ];
    });
  } finally {
    if (child.connected) child.disconnect();
    await exited(child);
  }
}
