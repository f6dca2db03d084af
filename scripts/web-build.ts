/**
 * Builds the web app (web/ → web/dist) with Vite when web/dist is missing or older than its sources, so a fresh
 * clone works with `npm start` alone. The build goes to a temporary folder first and replaces web/dist in one
 * rename, so a server never serves half a build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from './python-env.ts';

export const WEB_SOURCE = join(ROOT, 'web');
export const WEB_DIST = join(WEB_SOURCE, 'dist');

/** What the build reads: a change to any of these makes web/dist stale. */
const SOURCES = ['index.html', 'vite.config.ts', 'src', 'public'];

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/** True when web/dist/index.html exists and is newer than every source file. */
export function webBuildIsFresh(): boolean {
  const built = join(WEB_DIST, 'index.html');
  if (!existsSync(built)) return false;
  const sources = Math.max(...SOURCES.map((name) => newestChange(join(WEB_SOURCE, name))));
  return statSync(built).mtimeMs >= sources;
}

/** Runs `vite build` into web/dist; throws with Vite's output when it fails. */
export function buildWeb(log: (line: string) => void = () => {}): void {
  // Vite's CLI, found through its package.json (its `exports` do not list the bin script).
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const staging = join(WEB_SOURCE, `.dist-${process.pid}`);
  log('Building the web app (web/ → web/dist) …');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', WEB_SOURCE, '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`The web app did not build:\n${result.stdout}${result.stderr}`);
  }
  rmSync(WEB_DIST, { recursive: true, force: true });
  renameSync(staging, WEB_DIST);
}

/** Builds the web app unless web/dist is up to date. */
export function ensureWebBuild(log: (line: string) => void = () => {}): void {
  if (!webBuildIsFresh()) buildWeb(log);
}
