/**
 * `npm run fuzz`: schemathesis over the local platform's `/openapi.json`, every operation, as a signed-in user
 * (a real Cognito sign-in on the platform). It fails on any 5xx and on any answer the document does not allow:
 * an undocumented status, content type or body. Prints what it ran and what it found, with lines to reproduce.
 *
 *   npm run fuzz                       # FUZZ_MAX_EXAMPLES=200 per operation, a random seed
 *   FUZZ_SEED=7 FUZZ_MAX_EXAMPLES=1000 npm run fuzz
 *
 * `test/security/fuzz.test.ts` runs the same with a fixed seed and a small bound, inside `npm test`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform } from '../local/platform.ts';
import { fetchJson, newSignedInUser, type WebConfig } from '../test/e2e/support/client.ts';
import { ensurePythonRequirements, venvBin } from './python-env.ts';

/** The checks that fail a run: no 5xx, and every answer as the document describes it. */
export const FUZZ_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
] as const;

export interface FuzzOptions {
  /** Examples per operation and phase. */
  maxExamples: number;
  seed: number;
  /** schemathesis's phases. @default examples, coverage, fuzzing */
  phases?: readonly string[];
  /** Each line of schemathesis's output, as it comes. @default nothing */
  onLine?: (line: string) => void;
}

export interface FuzzResult {
  /** 0 when every check passed. */
  exitCode: number;
  /** What schemathesis printed: its summary, each failure with a curl line to reproduce it. */
  output: string;
  /** The command run (without the token), to say what ran. */
  command: string;
}

/** Starts a local platform, signs up a user over its Cognito endpoint and fuzzes its API as that user. */
export async function fuzzLocalPlatform(options: FuzzOptions): Promise<FuzzResult> {
  ensurePythonRequirements('fuzz');
  const platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
  // schemathesis keeps a cache of what it found in its working directory: a scratch one, not the checkout.
  const scratch = mkdtempSync(join(tmpdir(), 'skycast-fuzz-'));
  try {
    const config: WebConfig = (await fetchJson(`${platform.url}/config.json`)).body;
    const user = await newSignedInUser(platform.url, config);
    const args = [
      'run',
      `${platform.url}/openapi.json`,
      ...['--url', config.apiUrl],
      ...['--checks', FUZZ_CHECKS.join(',')],
      ...['--max-examples', String(options.maxExamples)],
      ...['--seed', String(options.seed)],
      ...['--phases', (options.phases ?? ['examples', 'coverage', 'fuzzing']).join(',')],
      ...['--request-timeout', '30'],
      // Runs are reproduced by their seed; no example database left in the working tree.
      ...['--generation-database', 'none'],
      '--no-color',
    ];
    const command = `st ${args.join(' ')} --header 'Authorization: Bearer …'`;
    options.onLine?.(`$ ${command}`);
    const st = spawn(
      venvBin('st'),
      [...args, '--header', `Authorization: Bearer ${user.tokens.AccessToken}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: scratch,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let output = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      // The token is a bearer credential: it never goes into a log, even a local one.
      const text = chunk.toString('utf8').replaceAll(user.tokens.AccessToken, '<access token>');
      output += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    };
    st.stdout.on('data', take);
    st.stderr.on('data', take);
    const exitCode = await new Promise<number>((resolveExit, reject) => {
      st.on('error', reject);
      st.on('close', (code) => resolveExit(code ?? 1));
    });
    if (pending) options.onLine?.(pending);
    return { exitCode, output, command };
  } finally {
    await platform.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Reads a whole-number setting from the environment. */
function setting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${name} must be a whole number above 0, not ${value}`);
  return number;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const maxExamples = setting('FUZZ_MAX_EXAMPLES', 200);
  const seed = setting('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
  const started = Date.now();
  console.log(`Fuzzing the local platform's API: ${maxExamples} examples per operation, seed ${seed}.`);
  const result = await fuzzLocalPlatform({
    maxExamples,
    seed,
    phases: ['examples', 'coverage', 'fuzzing', 'stateful'],
    onLine: (line) => console.log(line),
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    result.exitCode === 0
      ? `\n✔ No 5xx and no answer outside the document (${seconds} s, seed ${seed}).`
      : `\n✖ schemathesis found failures (${seconds} s): rerun with FUZZ_SEED=${seed} FUZZ_MAX_EXAMPLES=${maxExamples}.`,
  );
  process.exitCode = result.exitCode;
}
