/**
 * Fuzzing from the contract, bounded for `npm test`: schemathesis generates requests for every operation of
 * the local platform's `/openapi.json` as a signed-in user, with a fixed seed, and the run fails on any 5xx and
 * on any answer the document does not describe (status, content type, body). `npm run fuzz` runs longer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FUZZ_CHECKS, fuzzLocalPlatform } from '../../scripts/fuzz.ts';

const SEED = 20_261_111;
const MAX_EXAMPLES = 15;

describe('fuzzing the API from its OpenAPI document', () => {
  it(`finds no 5xx and no answer outside the document (${FUZZ_CHECKS.join(', ')})`, async () => {
    const result = await fuzzLocalPlatform({
      maxExamples: MAX_EXAMPLES,
      seed: SEED,
      phases: ['coverage', 'fuzzing'],
    });

    assert.match(
      result.output,
      /API Operations:\s+Selected: (\d+)\/\1/,
      'every operation of the document is selected',
    );
    assert.equal(
      result.exitCode,
      0,
      `${result.command}\n\n${result.output.split('\n').slice(-150).join('\n')}`,
    );
  });
});
