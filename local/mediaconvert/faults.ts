/**
 * Fault injection for the local MediaConvert, off unless asked for: a share of jobs end in ERROR, a share of
 * CreateJob and Probe calls are throttled or fail with a 500 (half of the failed CreateJobs after the job was
 * created, as when an answer is lost on the way back), and job state events are held back by a random delay
 * each, so they arrive late and out of order, and some are sent twice. Every decision is a hash of the seed
 * and what it is about (the request's token, the job's event number), not of timing, so a seed replays the
 * same faults for the same requests however they interleave.
 *
 * Asked for with the emulator's `faults` option or `SKYCAST_LOCAL_MEDIACONVERT_FAULTS`, e.g.
 * `jobs=0.2,calls=0.2,duplicates=0.3,delayMs=4000,seed=7`.
 */
import { createHash } from 'node:crypto';
import { ApiError } from './errors.ts';

export interface FaultSettings {
  /** Share of jobs that end in ERROR instead of running. */
  jobFailureRate: number;
  /** Share of CreateJob and Probe calls answered with a throttle (429) or an internal error (500). */
  callFailureRate: number;
  /** Share of job state events published twice. */
  duplicateEventRate: number;
  /** Each event (and each duplicate) waits a random time up to this before it is published. */
  maxEventDelayMs: number;
  seed: number;
}

/** The environment variable that turns faults on for `npm start` and the tests. */
export const FAULTS_ENV = 'SKYCAST_LOCAL_MEDIACONVERT_FAULTS';

const KEYS: Record<string, keyof FaultSettings> = {
  jobs: 'jobFailureRate',
  calls: 'callFailureRate',
  duplicates: 'duplicateEventRate',
  delayMs: 'maxEventDelayMs',
  seed: 'seed',
};

/** Reads `jobs=0.2,calls=0.2,duplicates=0.3,delayMs=4000,seed=7`; what is left out is 0 (no such fault). */
export function parseFaultSettings(text: string): FaultSettings {
  const settings: FaultSettings = {
    jobFailureRate: 0,
    callFailureRate: 0,
    duplicateEventRate: 0,
    maxEventDelayMs: 0,
    seed: 0,
  };
  for (const part of text.split(',').filter((entry) => entry.trim())) {
    const [name = '', value = ''] = part.split('=').map((piece) => piece.trim());
    const key = KEYS[name];
    const number = Number(value);
    if (!key || value === '' || !Number.isFinite(number) || number < 0) {
      throw new Error(
        `${FAULTS_ENV}: "${part}" is not one of ${Object.keys(KEYS).join(', ')} with a number of 0 or more`,
      );
    }
    if (key.endsWith('Rate') && number > 1) throw new Error(`${FAULTS_ENV}: ${name} is a share, 0 to 1`);
    settings[key] = number;
  }
  return settings;
}

/** The kind of failure a faulty API call gets. */
export type CallFault = 'throttle-before' | 'internal-before' | 'internal-after';

export class FaultInjector {
  private readonly attempts = new Map<string, number>();

  constructor(readonly settings: FaultSettings) {}

  /** A number in [0, 1) fixed by the seed and `key`. */
  private draw(key: string): number {
    const digest = createHash('sha256').update(`${this.settings.seed}:${key}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }

  /** Whether the job known by `key` (its token or settings) fails. */
  failsJob(key: string): boolean {
    return this.draw(`job:${key}`) < this.settings.jobFailureRate;
  }

  /** How this attempt of a call about `key` fails, if it does; each retry of the same call draws anew. */
  failsCall(operation: string, key: string): CallFault | undefined {
    const id = `${operation}:${key}`;
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    const draw = this.draw(`call:${id}#${attempt}`);
    const rate = this.settings.callFailureRate;
    if (draw >= rate) return undefined;
    if (operation === 'CreateJob' && draw < rate / 2) return 'internal-after';
    return draw < (rate * 3) / 4 ? 'throttle-before' : 'internal-before';
  }

  /** The delays before each copy of event number `index` of a job is published: one, or two if duplicated. */
  eventDelays(jobKey: string, index: number): number[] {
    const key = `event:${jobKey}#${index}`;
    const delay = (copy: number) =>
      Math.floor(this.draw(`${key}:delay${copy}`) * this.settings.maxEventDelayMs);
    const twice = this.draw(`${key}:twice`) < this.settings.duplicateEventRate;
    return twice ? [delay(0), delay(1)] : [delay(0)];
  }
}

/** The injector the options or the environment ask for; undefined (no faults) by default. */
export function faultInjector(
  settings: FaultSettings | undefined,
  env: NodeJS.ProcessEnv = process.env,
): FaultInjector | undefined {
  const text = env[FAULTS_ENV];
  const chosen = settings ?? (text ? parseFaultSettings(text) : undefined);
  return chosen ? new FaultInjector(chosen) : undefined;
}

/** The API error an injected call fault answers with. */
export function injectedCallError(fault: CallFault, operation: string): ApiError {
  return fault === 'throttle-before'
    ? new ApiError('TooManyRequestsException', `Too many requests (an injected ${operation} fault).`)
    : new ApiError('InternalServerErrorException', `Internal error (an injected ${operation} fault).`);
}
