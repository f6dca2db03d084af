/**
 * `npm run bench [-- <name> …]`: runs the benchmarks (all of them, or the ones named), prints a table and
 * writes the numbers to bench/results/. No benchmark asserts on a time: a missed goal is reported, not failed.
 */
import { relative } from 'node:path';
import { ROOT } from '../scripts/python-env.ts';
import { getMeLoad } from './getme-load.ts';
import { handlerBundles } from './handler-bundles.ts';
import { interactivity } from './interactivity.ts';
import { liveLatency, liveViewers } from './live.ts';
import { manifestGeneration } from './manifest-generation.ts';
import { middleware } from './middleware.ts';
import { rangeRequests } from './range-requests.ts';
import { otherProcessesCores, sampleCpu } from './support/machine.ts';
import {
  type Benchmark,
  type BenchmarkResult,
  environment,
  formatTable,
  goalMet,
  writeResults,
} from './support/report.ts';
import { transcoder } from './transcoder.ts';
import { upload2GiB } from './upload-2gib.ts';
import { uploadToPlayable } from './upload-to-playable.ts';

const benchmarks: Benchmark[] = [
  {
    name: 'handler-bundles',
    description: 'Every route handler bundled as lambdaBundling says: minified size and cold import time',
    run: handlerBundles,
  },
  {
    name: 'middleware',
    description: 'The HTTP middleware stack alone (real RS256 verification, in-memory stores, no I/O)',
    run: middleware,
  },
  {
    name: 'getme-load',
    description: 'GET /me (getMe) through the local platform under load with autocannon',
    run: getMeLoad,
  },
  {
    name: 'transcoder',
    description:
      'The local MediaConvert on a 1080p upload: one ffmpeg process, one decode for the whole ladder, vs one process per output',
    run: transcoder,
  },
  {
    name: 'upload-2gib',
    description:
      'A 2 GiB file uploaded through the local platform in parallel parts by uploadFile, the client in its own process: throughput and its peak memory',
    run: upload2GiB,
  },
  {
    name: 'upload-to-playable',
    description:
      'A 60 s 1080p30 clip from its first uploaded byte to READY through the local platform, phase by phase',
    run: uploadToPlayable,
  },
  {
    name: 'range-requests',
    description:
      '1 MiB range requests through the local media server (from moto) and through nginx (from disk), at 1 and 16 connections',
    run: rangeRequests,
  },
  {
    name: 'manifest-generation',
    description:
      'The manifest Lambda on a two-hour, five-rendition video: clips per second and p99 latency, warm and cold',
    run: manifestGeneration,
  },
  {
    name: 'live-latency',
    description:
      'The local IVS with an ffmpeg publisher: first RTMP frame to first live segment, live edge behind the publisher, CPU per stream',
    run: liveLatency,
  },
  {
    name: 'live-viewers',
    description:
      '1,000 simulated viewers of one live stream polling and fetching segments from the local origin',
    run: liveViewers,
  },
  {
    name: 'interactivity',
    description:
      '1,000 simulated viewers reacting once a second for 30 s on one live stream: counted, delivered in-band, PutMetadata per second, latencies',
    run: interactivity,
  },
];

async function main(): Promise<number> {
  // On Node < 22 the AWS SDK prints a deprecation warning when a client is created, in every child process;
  // Lambda runs node24, where it does not. The SDK's own switch turns it off.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const wanted = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = wanted.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}.`);
    console.error(`Available: ${benchmarks.map((benchmark) => benchmark.name).join(', ')}.`);
    return 2;
  }
  const selected = wanted.length > 0 ? benchmarks.filter((b) => wanted.includes(b.name)) : benchmarks;

  const startedAt = new Date();
  const env = environment();
  console.error(
    `Node ${env.node} on ${env.cpus} × ${env.cpuModel ?? 'unknown CPU'}, ${env.platform} (${env.arch})`,
  );

  const results: BenchmarkResult[] = [];
  for (const benchmark of selected) {
    console.error(`\n▶ ${benchmark.name}: ${benchmark.description}`);
    const started = performance.now();
    const cpuBefore = sampleCpu();
    const result: BenchmarkResult = {
      name: benchmark.name,
      description: benchmark.description,
      startedAt: new Date().toISOString(),
      durationSeconds: 0,
      rows: [],
    };
    try {
      result.rows = (await benchmark.run()).map((row) => ({ ...row, met: goalMet(row) }));
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
      console.error(error);
    }
    result.durationSeconds = Math.round((performance.now() - started) / 100) / 10;
    const others = otherProcessesCores(cpuBefore, sampleCpu());
    if (others !== undefined) result.otherProcessesCores = Math.round(others * 100) / 100;
    results.push(result);
  }

  console.log(`\n${formatTable(results)}`);
  const written = writeResults(results, env, startedAt);
  console.log(`\nResults: ${written.map((path) => relative(ROOT, path)).join(', ')}`);
  return results.some((result) => result.error) ? 1 : 0;
}

process.exitCode = await main();
