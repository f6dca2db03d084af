import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppRoute } from '../../../local/origin.ts';
import { match, route } from '../../../web/src/router.ts';
import { appRoutes, RESERVED_PREFIXES } from '../../../web/src/routes.ts';

for (const { path, load } of appRoutes) route(path, load);

/** A route's path with its parameters filled in, as a browser would ask for it. */
const example = (path: string) => path.replace(/:[a-zA-Z]+/g, 'abc-123');

describe('the web app routes', () => {
  it('never start with a media, API, Cognito or outbox path of the same origin', () => {
    for (const { path } of appRoutes) {
      for (const prefix of RESERVED_PREFIXES)
        assert.ok(!path.startsWith(prefix), `${path} starts with ${prefix}`);
    }
  });

  it('are answered with the app by the local origin (no file extension)', () => {
    for (const { path } of appRoutes) assert.ok(isAppRoute(example(path)), path);
    assert.ok(!isAppRoute('/assets/index-abc.js'));
    assert.ok(!isAppRoute('/favicon.svg'));
  });

  it('match their paths, with or without a trailing slash, and decode their parameters', () => {
    assert.deepEqual(match('/watch/video/v%201')?.params, { videoId: 'v 1' });
    assert.deepEqual(match('/watch/live/abc/')?.params, { streamId: 'abc' });
    assert.deepEqual(match('/studio')?.params, {});
  });

  it('match nothing else: media paths and unknown pages are not the app', () => {
    for (const path of [
      '/videos/abc/index.m3u8',
      '/ivs/v1/x',
      '/media/videos/a',
      '/watch/video',
      '/studio/x',
      '/nope',
    ]) {
      assert.equal(match(path), undefined, path);
    }
  });
});
