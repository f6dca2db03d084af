/**
 * The load generator, a process of its own so it does not share an event loop with the platform it loads
 * (they still share the machine's cores). Runs autocannon for each `run` message and answers with a summary.
 * Latency percentiles are computed here from every 2xx response time autocannon reports (fractional ms);
 * autocannon's own histogram keeps whole milliseconds and has no p95.
 *
 * Servers that close the connection after every response (moto's Werkzeug server sends `Connection: close`)
 * stall autocannon 9: it writes the next request to the closing socket and each connection ends up waiting
 * forever after its first response (its `reconnectRate` option drops the responses from the count instead).
 * For those, `closeAfterEachResponse` runs the same closed loop with node:http and one connection per request.
 */
import { request as httpRequest } from 'node:http';
import autocannon from 'autocannon';
import { failToParent, sendToParent } from './child.ts';
import { type Distribution, distribution } from './stats.ts';

export interface LoadRun {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  /** The server closes every connection after one response: load it with node:http instead of autocannon. */
  closeAfterEachResponse?: boolean;
}

export interface LoadSummary {
  connections: number;
  durationSeconds: number;
  /** 2xx responses per second over the whole run. */
  okPerSecond: number;
  ok: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Latency of 2xx responses, ms. */
  latencyMs: Distribution | undefined;
  /** autocannon's own figures, to cross-check; absent when node:http generated the load. */
  autocannon?: { requestsPerSecondMean: number; latencyP50: number; latencyP99: number; latencyMax: number };
  generator: 'autocannon' | 'node:http, one connection per request';
}

function load(run: LoadRun): Promise<LoadSummary> {
  return new Promise((resolveRun, reject) => {
    const okTimes: number[] = [];
    const instance = autocannon(
      {
        url: run.url,
        method: run.method ?? 'GET',
        headers: run.headers,
        body: run.body,
        connections: run.connections,
        duration: run.durationSeconds,
        timeout: 10,
      },
      (error, result) => {
        if (error) return reject(error);
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
        );
        resolveRun({
          connections: run.connections,
          durationSeconds: result.duration,
          okPerSecond: result['2xx'] / result.duration,
          ok: result['2xx'],
          non2xx: result.non2xx,
          statusCodes,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: okTimes.length > 0 ? distribution(okTimes) : undefined,
          generator: 'autocannon',
          autocannon: {
            requestsPerSecondMean: result.requests.average,
            latencyP50: result.latency.p50,
            latencyP99: result.latency.p99,
            latencyMax: result.latency.max,
          },
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) okTimes.push(responseTime);
    });
  });
}

function send(run: LoadRun): Promise<{ status: number; ms: number }> {
  return new Promise((resolveResponse, reject) => {
    const started = performance.now();
    const req = httpRequest(
      run.url,
      {
        method: run.method ?? 'GET',
        headers: { ...run.headers, connection: 'close' },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () =>
          resolveResponse({ status: res.statusCode ?? 0, ms: performance.now() - started }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(run.body);
  });
}

/** `connections` loops, each sending its next request as soon as the previous one is answered. */
async function closedLoop(run: LoadRun): Promise<LoadSummary> {
  const okTimes: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const started = performance.now();
  const end = started + run.durationSeconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      try {
        const { status, ms } = await send(run);
        statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        if (status >= 200 && status < 300) okTimes.push(ms);
      } catch (error) {
        errors++;
        if ((error as Error).message === 'timeout') timeouts++;
      }
    }
  };
  await Promise.all(Array.from({ length: run.connections }, loop));
  const durationSeconds = (performance.now() - started) / 1000;
  const total = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
  return {
    connections: run.connections,
    durationSeconds,
    okPerSecond: okTimes.length / durationSeconds,
    ok: okTimes.length,
    non2xx: total - okTimes.length,
    statusCodes,
    errors,
    timeouts,
    latencyMs: okTimes.length > 0 ? distribution(okTimes) : undefined,
    generator: 'node:http, one connection per request',
  };
}

process.on('message', (message: { type: string; run: LoadRun }) => {
  if (message.type !== 'run') return;
  (message.run.closeAfterEachResponse ? closedLoop(message.run) : load(message.run)).then(
    (summary) => sendToParent({ type: 'summary', summary }),
    (error) => failToParent(error),
  );
});
process.on('disconnect', () => process.exit(0));
