import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requireEnv } from '../../../lambdas/shared/config.ts';
import { MissingConfigurationError } from '../../../lambdas/shared/errors.ts';

describe('requireEnv', () => {
  it('returns every named value', () => {
    assert.deepEqual(requireEnv(['A', 'B'], { A: '1', B: '2', C: '3' }), { A: '1', B: '2' });
  });

  it('names all missing or empty variables at once', () => {
    assert.throws(
      () => requireEnv(['A', 'B', 'C'], { B: '', C: 'x' }),
      (error: unknown) =>
        error instanceof MissingConfigurationError &&
        error.message === 'Missing required environment variable(s): A, B' &&
        error.names.join() === 'A,B',
    );
  });
});
