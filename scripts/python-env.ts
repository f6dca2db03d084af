import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The project-local Python virtual environment; nothing is installed outside the repository. */
export const VENV = join(ROOT, '.venv');

export type Requirements = 'local' | 'checks' | 'fuzz';

/** Path of an executable installed in the project's virtual environment. */
export const venvBin = (name: string) => join(VENV, 'bin', name);

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new Error(`Could not run ${command}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

/**
 * Makes sure `.venv` holds the given requirement set (`requirements/<name>.txt`), installing it with pip the
 * first time and whenever the file changes. Needs `python3` with the venv module; says so if it is missing.
 */
export function ensurePythonRequirements(name: Requirements): void {
  const file = join(ROOT, 'requirements', `${name}.txt`);
  const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
  const stamp = join(VENV, `.skycast-${name}.sha256`);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;

  if (!existsSync(venvBin('python'))) {
    console.error(`Creating the Python virtual environment in ${VENV} …`);
    const venv = spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    if (venv.status !== 0) {
      throw new Error(
        'Could not create a Python virtual environment. Install Python 3.10+ with venv support ' +
          '(Debian/Ubuntu: apt-get install python3 python3-venv) and try again.',
      );
    }
  }
  console.error(`Installing Python packages from requirements/${name}.txt into .venv …`);
  run(venvBin('python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', file]);
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, digest);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const name of process.argv.slice(2) as Requirements[]) ensurePythonRequirements(name);
}
