/**
 * `npm test`: lint and type-check, then every test layer in one run of Node's test runner.
 * `npm test -- unit integration` (or `npm run test:unit`, …) runs only the named layers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { IAM_USAGE_DIR_ENV, mergedUsage } from '../local/iam/usage-files.ts';
import { formatUsageReport } from '../local/iam/usage-report.ts';
import { ensurePythonRequirements, ROOT } from './python-env.ts';
import { ensureWebBuild } from './web-build.ts';

const LAYERS = ['unit', 'infra', 'integration', 'e2e', 'security'] as const;
type Layer = (typeof LAYERS)[number];

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(LAYERS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`Unknown test layer(s): ${unknown.join(', ')}. Layers: ${LAYERS.join(', ')}.`);
  process.exit(2);
}
const layers: readonly Layer[] = requested.length > 0 ? (requested as Layer[]) : LAYERS;
const everything = requested.length === 0;

const testEnv: NodeJS.ProcessEnv = {
  ...process.env,
  // Handlers log every request at INFO; in tests only warnings and errors are worth reading.
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  // Lambda runs Node 24; the SDK's reminder that local Node 20 is old is noise in every test file.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function step(title: string, command: string, args: string[]): void {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: testEnv });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed`);
    process.exit(result.status ?? 1);
  }
}

function testFiles(layer: Layer): string[] {
  const dir = join(ROOT, 'test', layer);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => relative(ROOT, join(dir, file)))
    .sort();
}

if (everything) {
  step('Lint and format (Biome)', 'npx', ['biome', 'check', '.']);
  step('Type-check (tsc)', 'npx', ['tsc', '--noEmit', '-p', '.']);
}

// Install the emulator and checkers once, before test files run side by side and race to do it.
if (layers.some((layer) => layer !== 'unit' && layer !== 'infra')) ensurePythonRequirements('local');
if (layers.includes('infra')) ensurePythonRequirements('checks');
if (layers.includes('security')) ensurePythonRequirements('fuzz');
// The web app: the infra tests synthesize it and the browser tests serve it; built once, before files run side by side.
if (layers.some((layer) => layer === 'infra' || layer === 'e2e' || layer === 'security'))
  ensureWebBuild((line) => console.log(line));

// Platforms started by the tests record what their functions called; printed against the grants at the end.
const iamUsage =
  layers.includes('e2e') || layers.includes('security')
    ? mkdtempSync(join(tmpdir(), 'skycast-iam-usage-'))
    : undefined;
if (iamUsage) testEnv[IAM_USAGE_DIR_ENV] = iamUsage;
process.on('exit', () => {
  if (!iamUsage) return;
  const usage = mergedUsage(iamUsage);
  if (usage.length > 0) console.log(`\n${formatUsageReport(usage)}`);
  rmSync(iamUsage, { recursive: true, force: true });
});

const files = layers.flatMap(testFiles);
step(`Tests: ${layers.join(', ')} (${files.length} files)`, process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-reporter=spec',
  ...files,
]);
