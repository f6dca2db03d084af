/**
 * DynamoDB Local, AWS's own DynamoDB emulator (a Java server), as the local platform's DynamoDB: it answers a
 * GetItem for a sixth to a tenth of moto's CPU time and keeps connections alive (bench/README.md has numbers).
 *
 * Installed on first use from Maven Central only: Maven copies `com.amazonaws:DynamoDBLocal` and its runtime
 * dependencies (the sqlite4java native libraries included) as `local/dynamodb-local/pom.xml` says into
 * `.tools/dynamodb-local/` (git-ignored), and `javac` compiles `LoopbackServerRunner.java` next to them: DynamoDB
 * Local's own server, made to listen on 127.0.0.1 only. Reinstalled when either file changes.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT } from '../scripts/python-env.ts';
import { terminate } from './child-process.ts';
import type { RunningEmulator } from './moto.ts';

const SOURCES = join(ROOT, 'local', 'dynamodb-local');
const POM = join(SOURCES, 'pom.xml');
const LAUNCHER_SOURCE = join(SOURCES, 'LoopbackServerRunner.java');
/** Where DynamoDB Local is installed; nothing goes outside the repository. */
const DYNAMODB_LOCAL_HOME = join(ROOT, '.tools', 'dynamodb-local');
const INSTALLED = join(DYNAMODB_LOCAL_HOME, 'current');
/** Maven's download cache, kept so that a version bump fetches only what changed. */
const MAVEN_REPOSITORY = join(DYNAMODB_LOCAL_HOME, 'maven-repository');
const STAMP = '.skycast.sha256';
/** The command line names this class; tests and benchmarks find the process by it. */
export const DYNAMODB_LOCAL_MAIN_CLASS = 'LoopbackServerRunner';

/** Set to `moto` to keep DynamoDB on moto (no Java needed), or `dynamodb-local` to insist on DynamoDB Local. */
export const DYNAMODB_CHOICE_VARIABLE = 'SKYCAST_LOCAL_DYNAMODB';

export interface DynamoDbChoice {
  emulator: 'dynamodb-local' | 'moto';
  /** Why it is moto, when that was not asked for. */
  note?: string;
}

/**
 * Which emulator serves the local platform's DynamoDB: moto, unless SKYCAST_LOCAL_DYNAMODB=dynamodb-local asks for
 * AWS's DynamoDB Local. That one's licence is the vendor's own terms, not open source, so nothing here fetches or
 * runs it unless the person running the platform chooses it.
 */
export function localDynamoDbChoice(env: NodeJS.ProcessEnv = process.env): DynamoDbChoice {
  const asked = env[DYNAMODB_CHOICE_VARIABLE];
  if (asked === 'moto' || asked === 'dynamodb-local') return { emulator: asked };
  if (asked) {
    throw new Error(`${DYNAMODB_CHOICE_VARIABLE} must be "dynamodb-local" or "moto", not "${asked}".`);
  }
  return { emulator: 'moto' };
}

const INSTALL_HINT =
  'Install a JDK 17+ and Maven (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless maven; macOS: brew ' +
  `install openjdk@17 maven), or set ${DYNAMODB_CHOICE_VARIABLE}=moto to keep DynamoDB on moto (slower).`;

/** Runs a tool that must be on PATH; a missing one gets a message that says what to install. */
function tool(command: string, args: string[], what: string, inherit = false): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'],
  });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `DynamoDB Local, the local platform's DynamoDB, needs \`${command}\` ${what}, and it is not on PATH. ${INSTALL_HINT}`
        : `Could not run ${command}: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed with exit code ${result.status} (${what}).` +
        (inherit ? '' : ` ${`${result.stderr ?? ''}${result.stdout ?? ''}`.trim().slice(-2000)}`),
    );
  }
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

/** The major version `java -version` reports: "17.0.15" → 17, "1.8.0_392" → 8. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

function requireJava17(): void {
  const output = tool('java', ['-version'], 'to run it');
  const major = javaMajorVersion(output);
  if (major !== undefined && major < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer; \`java\` is Java ${major}. ${INSTALL_HINT}`);
  }
}

function sourcesDigest(): string {
  return createHash('sha256').update(readFileSync(POM)).update(readFileSync(LAUNCHER_SOURCE)).digest('hex');
}

export interface DynamoDbLocalInstallation {
  /** The jars and native libraries. */
  lib: string;
  /** The compiled launcher. */
  classes: string;
}

/**
 * Makes sure DynamoDB Local is installed in `.tools/dynamodb-local/`, installing it with Maven (and compiling
 * the launcher with javac) the first time and whenever `local/dynamodb-local/` changes. Synchronous, so that
 * a test run can call it before test files start side by side and race to install.
 */
export function ensureDynamoDbLocal(): DynamoDbLocalInstallation {
  const installation = { lib: join(INSTALLED, 'lib'), classes: join(INSTALLED, 'classes') };
  const digest = sourcesDigest();
  const stamp = join(INSTALLED, STAMP);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return installation;

  requireJava17();
  tool('javac', ['-version'], 'to compile its launcher');
  tool('mvn', ['-v'], 'to download it from Maven Central');
  console.error(`Installing DynamoDB Local from Maven Central into ${DYNAMODB_LOCAL_HOME} …`);
  const staging = join(DYNAMODB_LOCAL_HOME, `staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    tool(
      'mvn',
      [
        '--batch-mode',
        '--quiet',
        '-Dstyle.color=never',
        '--file',
        POM,
        `-Dmaven.repo.local=${MAVEN_REPOSITORY}`,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${join(staging, 'lib')}`,
        '-DincludeScope=runtime',
      ],
      'to download DynamoDB Local from Maven Central',
      true,
    );
    tool(
      'javac',
      [
        '--release',
        '17',
        '-nowarn',
        '-classpath',
        join(staging, 'lib', '*'),
        '-d',
        join(staging, 'classes'),
        LAUNCHER_SOURCE,
      ],
      'to compile its launcher',
    );
    writeFileSync(join(staging, STAMP), digest);
    rmSync(INSTALLED, { recursive: true, force: true });
    renameSync(staging, INSTALLED);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return installation;
}

/** Where the launcher says it listens. */
const READY_LINE = /DynamoDB Local listening on (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 60_000;

/**
 * JVM settings for a short-lived emulator on a developer's machine: the client compiler only (C1) and the
 * serial collector (no GC threads competing with the platform). Measured here: start-up ≈1.1–1.5 s instead of
 * ≈2–2.9 s; over a getme-load run DynamoDB Local spent 0.45–0.61 ms CPU per getMe with these settings and
 * 0.64–1.28 ms with C2, which spends the run compiling; fully warmed up, C2 saves ≈0.05 ms per GetItem.
 */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * Starts DynamoDB Local in memory on a free loopback port (installing it first if needed) and resolves once
 * it listens. One database for every credential and region (`-sharedDb`), as one DynamoDB account would be.
 * It exits by itself if this process goes away. Its output is kept out of the way unless `verbose` is set.
 */
export async function startDynamoDbLocal(options: { verbose?: boolean } = {}): Promise<RunningEmulator> {
  const { lib, classes } = ensureDynamoDbLocal();
  const child: ChildProcess = spawn(
    'java',
    [
      ...JVM_OPTIONS,
      `-Djava.library.path=${lib}`,
      '-classpath',
      [join(lib, '*'), classes].join(delimiter),
      DYNAMODB_LOCAL_MAIN_CLASS,
      '0',
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
    ],
    // stdin stays open: the launcher exits when it closes, so the JVM never outlives us, even after a SIGKILL.
    // Its working directory is its own, in case it writes anything there.
    { cwd: DYNAMODB_LOCAL_HOME, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    // A process that could not be spawned at all emits no exit event, only this.
    child.once('error', (error) => {
      spawnError = error;
      resolveExit(null);
    });
  });

  let endpoint: string;
  try {
    endpoint = await new Promise<string>((resolveReady, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`DynamoDB Local did not start within ${START_TIMEOUT_MS / 1000} s: ${output.trim()}`),
        );
      }, START_TIMEOUT_MS);
      child.stdout?.on('data', (chunk: Buffer) => {
        keep(chunk);
        const ready = READY_LINE.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolveReady(ready[1] as string);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(
          new Error(
            spawnError
              ? (spawnError as NodeJS.ErrnoException).code === 'ENOENT'
                ? `DynamoDB Local, the local platform's DynamoDB, needs \`java\` to run it, and it is not on PATH. ${INSTALL_HINT}`
                : `Could not start DynamoDB Local: ${spawnError.message}`
              : `DynamoDB Local exited with code ${code} before it listened: ${output.trim()}`,
          ),
        );
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    endpoint,
    pid: child.pid,
    exited,
    async stop() {
      await terminate(child, exited);
      child.stdin?.destroy();
    },
  };
}
