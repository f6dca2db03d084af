import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_UPLOAD_MAX_BYTES,
  expectedPartSize,
  GiB,
  MAX_PLANNABLE_BYTES,
  MiB,
  planParts,
  S3_MAX_PART_BYTES,
  S3_MAX_PARTS,
  S3_MIN_PART_BYTES,
} from '#contract/part-plan.ts';
import {
  checkParts,
  isComplete,
  partsToUpload,
  type ReceivedPart,
  uploadMaxBytesFrom,
} from '../../../lambdas/uploads/parts.ts';

describe('planParts', () => {
  for (const [name, size, partSize, partCount] of [
    ['1 B', 1, 5 * MiB, 1],
    ['exactly 5 MiB', 5 * MiB, 5 * MiB, 1],
    ['5 MiB and one byte', 5 * MiB + 1, 5 * MiB, 2],
    ['the 20 GiB default limit', 20 * GiB, 5 * MiB, 4096],
    ['48,828 MiB, the most 5 MiB parts can hold', 10_000 * 5 * MiB, 5 * MiB, 10_000],
    ['one byte more than 10,000 parts of 5 MiB', 10_000 * 5 * MiB + 1, 6 * MiB, 8334],
    ['100 GiB', 100 * GiB, 11 * MiB, 9310],
    ['the largest object S3 stores (5 TiB)', MAX_PLANNABLE_BYTES, 525 * MiB, 9_987],
  ] as const) {
    it(`cuts ${name} into ${partCount} part(s) of ${partSize / MiB} MiB`, () => {
      assert.deepEqual(planParts(size), { size, partSize, partCount });
    });
  }

  it('never needs more than 10,000 parts, keeps parts within S3 limits in whole MiB, and picks the smallest such size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PLANNABLE_BYTES }), (size) => {
        const { partSize, partCount } = planParts(size);
        assert.ok(partCount <= S3_MAX_PARTS);
        assert.ok(partSize >= S3_MIN_PART_BYTES && partSize <= S3_MAX_PART_BYTES);
        assert.equal(partSize % MiB, 0);
        // The parts hold the file exactly: all full but the last, which is not empty.
        assert.ok((partCount - 1) * partSize < size && size <= partCount * partSize);
        // One MiB less would need more than 10,000 parts, or go under S3's minimum.
        const smaller = partSize - MiB;
        assert.ok(smaller < S3_MIN_PART_BYTES || Math.ceil(size / smaller) > S3_MAX_PARTS);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses sizes it cannot plan', () => {
    for (const size of [0, -1, 1.5, Number.NaN, MAX_PLANNABLE_BYTES + 1]) {
      assert.throws(() => planParts(size), RangeError, String(size));
    }
  });
});

describe('expectedPartSize', () => {
  it('is the part size for every part but the last, which holds the rest', () => {
    const plan = planParts(12 * MiB + 7);

    assert.deepEqual(
      [1, 2, 3].map((n) => expectedPartSize(plan, n)),
      [5 * MiB, 5 * MiB, 2 * MiB + 7],
    );
  });
});

describe('uploadMaxBytesFrom', () => {
  it('defaults to 20 GiB', () => {
    assert.equal(uploadMaxBytesFrom({}), DEFAULT_UPLOAD_MAX_BYTES);
    assert.equal(DEFAULT_UPLOAD_MAX_BYTES, 20 * 1024 ** 3);
  });

  it('reads a whole number of bytes', () => {
    assert.equal(uploadMaxBytesFrom({ UPLOAD_MAX_BYTES: '1073741824' }), GiB);
  });

  for (const value of ['0', '-5', '1.5', '20GB', 'lots', String(MAX_PLANNABLE_BYTES + 1)]) {
    it(`stops the function at init on UPLOAD_MAX_BYTES=${value}, naming the variable`, () => {
      assert.throws(() => uploadMaxBytesFrom({ UPLOAD_MAX_BYTES: value }), /UPLOAD_MAX_BYTES/);
    });
  }
});

describe('checkParts and partsToUpload', () => {
  // 12 MiB + 7 B: parts of 5 MiB, 5 MiB and 2 MiB + 7 B.
  const plan = planParts(12 * MiB + 7);
  const part = (partNumber: number, size = expectedPartSize(plan, partNumber)): ReceivedPart => ({
    partNumber,
    size,
    etag: `"etag-${partNumber}"`,
  });
  const claim = (partNumber: number, etag = `"etag-${partNumber}"`) => ({ partNumber, etag });

  it('passes when every part arrived with its size and the ETags match, quoted or not', () => {
    const check = checkParts(plan, [part(1), part(2), part(3)], [claim(1), claim(2, 'etag-2'), claim(3)]);

    assert.equal(isComplete(check), true);
    assert.equal(check.receivedBytes, plan.size);
  });

  it('names the parts that have not arrived', () => {
    const check = checkParts(plan, [part(1)], [claim(1), claim(2), claim(3)]);

    assert.equal(isComplete(check), false);
    assert.deepEqual(check.missingParts, [2, 3]);
    assert.equal(check.receivedBytes, 5 * MiB);
    assert.deepEqual(partsToUpload(plan, [part(1)]), [2, 3]);
  });

  it('names a part whose ETag is not the one S3 holds', () => {
    const check = checkParts(plan, [part(1), part(2), part(3)], [claim(1), claim(2, '"stale"'), claim(3)]);

    assert.deepEqual(check.etagMismatchParts, [{ partNumber: 2, etag: '"stale"', uploadedEtag: '"etag-2"' }]);
    assert.equal(isComplete(check), false);
  });

  it('names parts whose sizes do not add up to the declared size, and asks for them again', () => {
    const received = [part(1), part(2, 5 * MiB - 1), part(3, 2 * MiB + 8)];

    const check = checkParts(plan, received, [claim(1), claim(2), claim(3)]);

    assert.deepEqual(check.wrongSizeParts, [
      { partNumber: 2, expectedSize: 5 * MiB, size: 5 * MiB - 1 },
      { partNumber: 3, expectedSize: 2 * MiB + 7, size: 2 * MiB + 8 },
    ]);
    assert.deepEqual(partsToUpload(plan, received), [2, 3]);
  });

  it('names parts the request leaves out and part numbers the upload does not have', () => {
    const check = checkParts(plan, [part(1), part(2), part(3), part(4, 10)], [claim(1), claim(3), claim(4)]);

    assert.deepEqual(check.unlistedParts, [2]);
    assert.deepEqual(check.unknownParts, [4]);
    assert.equal(check.receivedBytes, plan.size, 'a stray part beyond the count is not counted');
  });
});
