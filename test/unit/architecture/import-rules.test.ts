/**
 * The floors of the house, as the README's layout section draws them: the contract (lambdas/contract) at the
 * bottom imports nothing but zod; capabilities (the rest of lambdas/) import the contract and each other, never
 * a floor above; the CDK app (lib/, bin/), the local platform (local/) and the web app (web/) reach capability
 * code only through the contract. Tests, benchmarks and scripts stand outside the house and may import anything.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ALIASES = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).imports as Record<
  string,
  string
>;

type Floor = 'contract' | 'capability' | 'cdk' | 'local' | 'web' | 'outside';

function floorOf(path: string): Floor {
  if (path.startsWith('lambdas/contract/')) return 'contract';
  if (path.startsWith('lambdas/')) return 'capability';
  if (path.startsWith('lib/') || path.startsWith('bin/')) return 'cdk';
  if (path.startsWith('local/')) return 'local';
  if (path.startsWith('web/')) return 'web';
  return 'outside';
}

/** Where an import specifier of `from` points: a repository path, or a package name. */
function resolveSpecifier(from: string, specifier: string): { path: string } | { pkg: string } {
  for (const [alias, target] of Object.entries(ALIASES)) {
    const prefix = alias.replace(/\*$/, '');
    if (specifier.startsWith(prefix)) {
      return { path: normalize(join(target.replace(/\*$/, ''), specifier.slice(prefix.length))) };
    }
  }
  if (specifier.startsWith('.')) return { path: normalize(join(dirname(from), specifier)) };
  return {
    pkg: specifier.startsWith('@')
      ? specifier.split('/').slice(0, 2).join('/')
      : (specifier.split('/')[0] ?? specifier),
  };
}

/** Every module specifier in a file: static imports and re-exports (type-only too), and literal import(). */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"`;]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns)
    for (const match of source.matchAll(pattern)) found.push(match[1] as string);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|mts)$/.test(file) && !file.includes('node_modules') && !file.startsWith('dist'))
    .map((file) => relative(ROOT, join(ROOT, dir, file)));
}

/** What breaks the rule, or undefined when the import may stand. */
function violation(from: string, target: { path: string } | { pkg: string }): string | undefined {
  const floor = floorOf(from);
  if ('pkg' in target) {
    if (floor === 'contract' && target.pkg !== 'zod') return `the contract imports ${target.pkg} (only zod)`;
    // The local platform's IAM evaluator is AGPL-3.0: a dev dependency of local/ only, never in a function
    // bundle or the CDK app.
    if (target.pkg.startsWith('@cloud-copilot/') && floor !== 'local' && floor !== 'outside') {
      return `${target.pkg} (AGPL-3.0) may only be used by the local platform`;
    }
    return undefined;
  }
  const to = floorOf(target.path);
  if (floor === 'contract' && to !== 'contract') return `the contract imports ${target.path}`;
  if (floor === 'capability' && !['contract', 'capability'].includes(to)) {
    return `a capability imports ${target.path} from a floor above`;
  }
  if (['cdk', 'local', 'web'].includes(floor) && to === 'capability') {
    return `${floor} reaches capability code (${target.path}) other than through the contract`;
  }
  // scripts/ is the project's tooling (the Python venv, the web build), which the local platform and the CDK
  // app use to prepare what they run; tests, benchmarks and everything else outside stay out of the house.
  const tooling = target.path.startsWith('scripts/') && (floor === 'local' || floor === 'cdk');
  if (floor !== 'outside' && to === 'outside' && !tooling)
    return `${from} imports ${target.path}, outside the house`;
  if (floor === 'web' && (to === 'cdk' || to === 'local')) return `the web app imports ${target.path}`;
  if (floor === 'cdk' && to === 'local') return `the CDK app imports the local platform (${target.path})`;
  return undefined;
}

describe('the import rule', () => {
  it('finds the imports it judges, type-only and dynamic ones included', () => {
    const source = [
      "import type { A } from './a.ts';",
      "import * as z from 'zod';",
      "export { b } from '#contract/b.ts';",
      "import './side-effect.ts';",
      "const c = await import('../c.ts');",
    ].join('\n');
    assert.deepEqual(importsOf(source).sort(), [
      '#contract/b.ts',
      '../c.ts',
      './a.ts',
      './side-effect.ts',
      'zod',
    ]);
  });

  it('judges imports by floor', () => {
    assert.match(violation('lambdas/contract/x.ts', { pkg: '@aws-sdk/client-s3' }) ?? '', /only zod/);
    assert.match(violation('lib/x.ts', { path: 'lambdas/uploads/keys.ts' }) ?? '', /through the contract/);
    assert.match(violation('lambdas/live/x.ts', { path: 'lib/wiring/live.ts' }) ?? '', /floor above/);
    assert.equal(violation('local/x.ts', { path: 'lambdas/contract/routes.ts' }), undefined);
    assert.match(violation('lambdas/live/x.ts', { pkg: '@cloud-copilot/iam-simulate' }) ?? '', /AGPL/);
    assert.equal(violation('local/iam/x.ts', { pkg: '@cloud-copilot/iam-simulate' }), undefined);
    assert.equal(violation('test/x.ts', { path: 'lambdas/uploads/keys.ts' }), undefined);
  });

  it('holds for every file of the house', () => {
    const broken: string[] = [];
    for (const file of ['lambdas', 'lib', 'bin', 'local', 'web/src'].flatMap(sourceFiles)) {
      for (const specifier of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        if (specifier.startsWith('node:')) continue;
        const problem = violation(file, resolveSpecifier(file, specifier));
        if (problem) broken.push(`${file}: '${specifier}': ${problem}`);
      }
    }
    assert.deepEqual(broken, [], `imports that break the floors:\n${broken.join('\n')}`);
  });
});
