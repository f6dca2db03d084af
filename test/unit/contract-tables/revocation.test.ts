import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routes } from '#contract/routes.ts';

describe('routes that hand out playback credentials', () => {
  it('check token revocation on every route that signs media cookies, URLs or IVS playback tokens', () => {
    const signing = routes.filter(
      (route) => route.access.mediaCookies === 'sign' || route.access.liveTokens === 'sign',
    );

    const unchecked = signing
      .filter((route) => !route.operation.checkRevocation)
      .map((route) => route.operation.operationId);

    assert.ok(signing.length >= 6, 'getVideo, listVideos, createClip, getClip, startStream, watchStream');
    assert.deepEqual(unchecked, []);
  });
});
