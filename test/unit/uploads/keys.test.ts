import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUploadKey, uploadKey } from '../../../lambdas/uploads/keys.ts';

describe('upload keys', () => {
  it("puts an upload under its owner's prefix and keeps a known extension", () => {
    assert.equal(uploadKey('u-1', 'v-1', 'My Holiday.MOV'), 'uploads/u-1/v-1/source.mov');
    assert.equal(uploadKey('u-1', 'v-1', 'clip'), 'uploads/u-1/v-1/source');
    assert.equal(uploadKey('u-1', 'v-1', 'evil.sh'), 'uploads/u-1/v-1/source');
  });

  it('reads the owner and video back from a key, and nothing from other keys', () => {
    assert.deepEqual(parseUploadKey('uploads/u-1/v-1/source.mp4'), { ownerId: 'u-1', videoId: 'v-1' });
    assert.deepEqual(parseUploadKey(uploadKey('a', 'b', 'x.webm')), { ownerId: 'a', videoId: 'b' });
    for (const key of [
      'uploads/u-1/source.mp4',
      'other/u-1/v-1/source.mp4',
      'uploads/u-1/v-1/source.mp4/x',
      'uploads/u-1/v-1/notes.txt',
    ]) {
      assert.equal(parseUploadKey(key), undefined, key);
    }
  });
});
