/**
 * The local MediaConvert's fault injection: off unless asked for, read from its environment variable, and
 * the same faults for the same requests under the same seed, whatever order the requests come in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FAULTS_ENV,
  FaultInjector,
  faultInjector,
  parseFaultSettings,
} from '../../../local/mediaconvert/faults.ts';

const settings = parseFaultSettings('jobs=0.2,calls=0.2,duplicates=0.3,delayMs=3000,seed=7');
const keys = Array.from({ length: 200 }, (_, i) => `token-${i}`);

describe('MediaConvert emulator fault injection', () => {
  it('injects nothing unless the option or the environment asks', () => {
    assert.equal(faultInjector(undefined, {}), undefined);
    assert.deepEqual(faultInjector(undefined, { [FAULTS_ENV]: 'jobs=0.5,seed=3' })?.settings, {
      jobFailureRate: 0.5,
      callFailureRate: 0,
      duplicateEventRate: 0,
      maxEventDelayMs: 0,
      seed: 3,
    });
  });

  it('refuses a setting it does not know or a share above 1, naming it', () => {
    assert.throws(() => parseFaultSettings('jobs=0.2,lost=0.1'), /"lost=0.1" is not one of jobs, calls/);
    assert.throws(() => parseFaultSettings('calls=2'), /calls is a share, 0 to 1/);
  });

  it('decides the same faults for the same requests under a seed, in any order, at about the asked rates', () => {
    const decide = (order: string[]) => {
      const injector = new FaultInjector(settings);
      return new Map(
        order.map((key) => [
          key,
          [injector.failsJob(key), injector.failsCall('CreateJob', key), injector.eventDelays(key, 0)],
        ]),
      );
    };
    const forwards = decide(keys);
    const backwards = decide([...keys].reverse());

    for (const key of keys) assert.deepEqual(backwards.get(key), forwards.get(key), key);
    const failedJobs = keys.filter((key) => forwards.get(key)?.[0]).length;
    assert.ok(failedJobs > 20 && failedJobs < 60, `${failedJobs} of 200 jobs fail`);
    const reseeded = new FaultInjector({ ...settings, seed: 8 });
    assert.notDeepEqual(
      keys.map((key) => reseeded.failsJob(key)),
      keys.map((key) => forwards.get(key)?.[0]),
    );
  });

  it('draws anew for each retry of a call, so a retried call can succeed', () => {
    const injector = new FaultInjector({ ...settings, callFailureRate: 0.5 });
    const attempts = Array.from({ length: 20 }, () => injector.failsCall('Probe', 's3://uploads/a.mp4'));
    assert.ok(attempts.some((fault) => fault === undefined));
    assert.ok(attempts.some((fault) => fault !== undefined));
  });
});
