/**
 * handler-bundles: every route's handler bundled exactly as the CDK app bundles it (`lambdaBundling`), then
 * imported cold, the way Lambda's init phase imports it.
 *
 * Two forms of each handler are built in one run:
 * - **bundled** — `lambdaBundling` as is (minified ESM, Lambda's Node target, banner): what we deploy. Its size and
 *   cold import time carry the goals. It is written to a fresh temporary folder outside the repository,
 *   so an import the bundle failed to inline breaks the run instead of being quietly resolved from the
 *   repository's node_modules.
 * - **unbundled** — the same esbuild settings with minification off and every npm package left external:
 *   our own modules compiled into one JavaScript file, and each dependency loaded by Node file by file from
 *   node_modules, as a function shipped as "compiled code plus node_modules" would start. It shows what
 *   bundling buys. (Importing the .ts source through tsx was the other option; it mostly measures tsx
 *   transpiling TypeScript at load time, which no deployment does.)
 *
 * Cold import: a fresh `node` process per sample imports the module and reports the time from the start
 * of `import()` until the `handler` export is there (module init included: SDK clients, verifier, logger).
 * The bundled form is imported twice per sample: plain, and as deployed — the house function construct
 * (lib/shared/skycast-function.ts) sets NODE_OPTIONS=--enable-source-maps, which makes Node read and parse
 * the bundle's source map during the import.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { ENV } from '#contract/environment.ts';
import { type Route, routeKey, routes } from '#contract/routes.ts';
import { lambdaBundling } from '../lib/shared/bundling.ts';
import { ROOT } from '../scripts/python-env.ts';
import type { BenchRow } from './support/report.ts';
import { distribution, round } from './support/stats.ts';

const SAMPLES = 9;
const GOAL_BUNDLE_KB = 500;
const GOAL_COLD_IMPORT_MS = 60;

const run = promisify(execFile);

/** What the house function construct puts in NODE_OPTIONS; keep in step with lib/shared/skycast-function.ts. */
const DEPLOYED_NODE_OPTIONS = ['--enable-source-maps'];

/**
 * `lambdaBundling` in esbuild's words, key by key as NodejsFunction passes them. A setting this function does
 * not know stops the benchmark, so it can never measure a bundle other than the one we deploy.
 */
export function esbuildOptionsFrom(settings: Record<string, unknown>): BuildOptions {
  const options: BuildOptions = { bundle: true };
  for (const [key, value] of Object.entries(settings)) {
    switch (key) {
      case 'format':
        options.format = value as BuildOptions['format'];
        break;
      case 'target':
        options.target = value as string;
        break;
      case 'platform':
        options.platform = value as BuildOptions['platform'];
        break;
      case 'minify':
        options.minify = value as boolean;
        break;
      case 'sourceMap':
        options.sourcemap = value as boolean;
        break;
      case 'sourcesContent':
        options.sourcesContent = value as boolean;
        break;
      case 'mainFields':
        options.mainFields = [...(value as string[])];
        break;
      case 'banner':
        options.banner = { js: value as string };
        break;
      case 'externalModules':
        options.external = [...(value as string[])];
        break;
      case 'define':
        options.define = value as Record<string, string>;
        break;
      case 'keepNames':
        options.keepNames = value as boolean;
        break;
      default:
        throw new Error(
          `lambdaBundling.${key} is a setting bench/handler-bundles.ts does not pass to esbuild yet; add it there.`,
        );
    }
  }
  return options;
}

/**
 * Every Skycast function gets its settings as environment variables; give the module init dummy values for
 * all the ones the wiring tables define, so it runs as it would in Lambda, without touching AWS.
 */
function handlerEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // On Node < 22 the SDK prints a deprecation warning at client creation; Lambda runs node24 and does not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    [ENV.userPoolId]: 'us-east-1_BenchPool',
    [ENV.userPoolClientId]: 'benchclientid0000000000000',
    [ENV.catalogTable]: 'skycast-bench-catalog',
    ...Object.fromEntries(Object.values(ENV.buckets).map((name) => [name, 'skycast-bench-bucket'])),
    [ENV.mediaKeySecret]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:skycast-bench-playback-key',
    [ENV.mediaKeyPairId]: 'KBENCHPLAYBACK',
    [ENV.mediaUrl]: 'https://media.invalid',
  };
}

/** Imports the module in a fresh Node process; the time it reports is from `import()` to `handler` ready. */
async function coldImport(
  file: string,
  nodeFlags: string[] = [],
): Promise<{ importMs: number; processStartToReadyMs: number }> {
  const script = `
    const started = performance.now();
    const module = await import(${JSON.stringify(pathToFileURL(file).href)});
    if (typeof module.handler !== 'function') throw new Error('The module has no handler export');
    const ready = performance.now();
    process.stdout.write(JSON.stringify({ importMs: ready - started, processStartToReadyMs: ready }));
  `;
  // A clean environment: nothing from this shell (NODE_OPTIONS, AWS_*, tsx) leaks into the measurement.
  const { stdout } = await run(process.execPath, [...nodeFlags, '--input-type=module', '--eval', script], {
    cwd: os.tmpdir(),
    env: handlerEnvironment(),
  });
  return JSON.parse(stdout);
}

interface BuiltHandler {
  route: Route;
  bundled: string;
  unbundled: string;
  bundledBytes: number;
  bundledGzipBytes: number;
  unbundledBytes: number;
  largestInputs: { path: string; kb: number }[];
  warnings: string[];
}

function safeName(route: Route): string {
  return route.operation.operationId;
}

async function buildHandler(route: Route, bundledDir: string, unbundledDir: string): Promise<BuiltHandler> {
  const deployed = esbuildOptionsFrom(lambdaBundling);
  const entryPoints = [resolve(ROOT, route.entry)];
  const bundled = join(bundledDir, `${safeName(route)}.mjs`);
  const bundledBuild = await build({
    ...deployed,
    entryPoints,
    outfile: bundled,
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'silent',
  });
  const unbundled = join(unbundledDir, `${safeName(route)}.mjs`);
  const unbundledBuild = await build({
    ...deployed,
    entryPoints,
    outfile: unbundled,
    absWorkingDir: ROOT,
    minify: false,
    sourcemap: false,
    packages: 'external',
    logLevel: 'silent',
  });
  const output =
    bundledBuild.metafile.outputs[
      Object.keys(bundledBuild.metafile.outputs).find((path) => path.endsWith('.mjs')) ?? ''
    ];
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const owner = match?.[1] ?? '(skycast source)';
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput);
  }
  return {
    route,
    bundled,
    unbundled,
    bundledBytes: statSync(bundled).size,
    bundledGzipBytes: gzipSync(readFileSync(bundled)).length,
    unbundledBytes: statSync(unbundled).size,
    largestInputs: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([path, bytes]) => ({ path, kb: round(bytes / 1024, 1) })),
    warnings: [...bundledBuild.warnings, ...unbundledBuild.warnings].map((warning) => warning.text),
  };
}

export async function handlerBundles(): Promise<BenchRow[]> {
  const bundledDir = mkdtempSync(join(os.tmpdir(), 'skycast-bench-bundles-'));
  // Inside the repository so that Node finds node_modules for the external packages.
  const unbundledDir = join(ROOT, 'node_modules', '.cache', 'skycast-bench', 'unbundled');
  mkdirSync(unbundledDir, { recursive: true });
  try {
    const built: BuiltHandler[] = [];
    for (const route of routes) built.push(await buildHandler(route, bundledDir, unbundledDir));
    console.error(`  built ${built.length} handler(s) twice; importing each cold ${SAMPLES} times per form`);

    const samples = new Map<
      string,
      { bundled: number[]; deployed: number[]; unbundled: number[]; toReady: number[] }
    >();
    for (const handler of built) {
      samples.set(handler.route.entry, { bundled: [], deployed: [], unbundled: [], toReady: [] });
    }
    // One import of each that is not counted, so the first counted sample does not also pay for reading
    // the files from disk into the page cache; then the forms alternate so drift hits both alike.
    for (const handler of built) {
      await coldImport(handler.bundled);
      await coldImport(handler.unbundled);
    }
    for (let i = 0; i < SAMPLES; i++) {
      for (const handler of built) {
        const own = samples.get(handler.route.entry)!;
        const bundled = await coldImport(handler.bundled);
        own.bundled.push(bundled.importMs);
        own.toReady.push(bundled.processStartToReadyMs);
        own.deployed.push((await coldImport(handler.bundled, DEPLOYED_NODE_OPTIONS)).importMs);
        own.unbundled.push((await coldImport(handler.unbundled)).importMs);
      }
    }

    const rows: BenchRow[] = [];
    for (const handler of built) {
      const own = samples.get(handler.route.entry)!;
      const bundled = distribution(own.bundled);
      const deployed = distribution(own.deployed);
      const unbundled = distribution(own.unbundled);
      const name = handler.route.operation.operationId;
      rows.push(
        {
          metric: `${name}: bundle size, minified`,
          value: round(handler.bundledBytes / 1024, 1),
          unit: 'KB',
          goal: { atMost: GOAL_BUNDLE_KB },
          note:
            'bundled with lambdaBundling exactly; the AWS SDK is inside every bundle, but for the credential providers Lambda never loads ' +
            '(1 KB = 1024 bytes; source map not counted)',
          detail: {
            route: routeKey(handler.route),
            entry: handler.route.entry,
            bytes: handler.bundledBytes,
            gzipKB: round(handler.bundledGzipBytes / 1024, 1),
            largestPackagesKB: handler.largestInputs,
            warnings: handler.warnings,
          },
        },
        {
          metric: `${name}: cold import p50, bundled`,
          value: round(bundled.p50, 1),
          unit: 'ms',
          goal: { atMost: GOAL_COLD_IMPORT_MS },
          note: `p50 of ${SAMPLES} fresh \`node\` processes (${process.version}; Lambda runs ${lambdaBundling.target}), import() until handler is exported`,
          detail: {
            samplesMs: own.bundled.map((ms) => round(ms, 2)),
            min: round(bundled.min, 2),
            max: round(bundled.max, 2),
            processStartToHandlerReadyMsP50: round(distribution(own.toReady).p50, 1),
          },
        },
        {
          metric: `${name}: cold import p50, bundled, as deployed`,
          value: round(deployed.p50, 1),
          unit: 'ms',
          goal: { atMost: GOAL_COLD_IMPORT_MS },
          note: `as deployed = with NODE_OPTIONS=${DEPLOYED_NODE_OPTIONS.join(' ')}, which the house function construct sets`,
          detail: {
            samplesMs: own.deployed.map((ms) => round(ms, 2)),
            min: round(deployed.min, 2),
            max: round(deployed.max, 2),
          },
        },
        {
          metric: `${name}: cold import p50, unbundled`,
          value: round(unbundled.p50, 1),
          unit: 'ms',
          note: 'unbundled = same esbuild settings, not minified, every npm package loaded from node_modules',
          detail: {
            bytesOwnCode: handler.unbundledBytes,
            samplesMs: own.unbundled.map((ms) => round(ms, 2)),
            min: round(unbundled.min, 2),
            max: round(unbundled.max, 2),
          },
        },
      );
    }
    return rows;
  } finally {
    rmSync(bundledDir, { recursive: true, force: true });
  }
}
