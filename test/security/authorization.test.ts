/**
 * Attacks as tests, against a local platform over its real HTTP API and Cognito: the authorization matrix
 * (every route × caller × target, expected statuses in authorization-matrix.ts) and the narrowing of a clip
 * whose source turns private.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routes } from '#contract/routes.ts';
import { callApi, type JsonResponse } from '../e2e/support/client.ts';
import { CALLERS, type Caller, MATRIX, type MatrixRow, TARGETS } from './authorization-matrix.ts';
import { type Person, startWorld, type World } from './support/world.ts';

/** The body each operation is called with: valid, so that only who calls on what decides the answer. */
const BODIES: Record<string, unknown> = {
  updatePreferences: { language: 'fr' },
  createUpload: { fileName: 'matrix.mp4', size: 1_000_000, contentType: 'video/mp4' },
  completeUpload: { parts: [{ partNumber: 1, etag: '"0123456789abcdef"' }] },
  updateVideo: { title: 'Renamed by the matrix' },
  createClip: { title: 'Cut by the matrix', startSeconds: 0, endSeconds: 1 },
  startStream: { title: 'The matrix streams', visibility: 'public' },
  sendReaction: { reaction: 'heart' },
  postAnnouncement: { kind: 'news', text: 'The matrix announces' },
  scheduleAdBreak: { durationSeconds: 30, creativeVideoId: 'matrix-creative' },
};
const QUERIES: Record<string, string> = { listVideos: '?scope=public' };

/** What one cell's answer says: the status, or a note when the status is right but the shape of the answer not. */
function verdict(caller: Caller, answer: JsonResponse): number | string {
  if (caller === 'anonymous' && answer.status === 401) {
    const byAuthorizer = JSON.stringify(answer.body) === JSON.stringify({ message: 'Unauthorized' });
    return byAuthorizer ? 401 : `401 not from the authorizer: ${JSON.stringify(answer.body)}`;
  }
  if (answer.status >= 400 && typeof answer.body?.code !== 'string') {
    return `${answer.status} without a code: ${JSON.stringify(answer.body)}`;
  }
  return answer.status;
}

describe('security on the local platform', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world?.stop());

  const as = (person: Person) => ({ token: person.token });

  describe('a clip is never more open than its source, also after the source turns private', () => {
    it("hides B's public clip of a video A made private from everyone else, and signs nothing of the source", async () => {
      const { config, other, clipOfPrivate, videos } = world;

      const listed = await callApi(config, 'GET', '/videos?scope=public&limit=50', as(other));
      const clip = await callApi(config, 'GET', `/clips/${clipOfPrivate}`, as(other));
      const asVideo = await callApi(config, 'GET', `/videos/${clipOfPrivate}`, as(other));

      assert.equal(listed.status, 200);
      const items = listed.body.items as { videoId: string; posterUrl?: string }[];
      assert.ok(!items.some((item) => item.videoId === clipOfPrivate), 'the clip is not listed as public');
      const sourcePrefix = `/videos/${videos.private}/`;
      assert.ok(
        !items.some((item) => item.posterUrl?.includes(sourcePrefix)),
        "no listed item carries a signed URL of the private source's poster",
      );
      assert.equal(clip.status, 404, JSON.stringify(clip.body));
      assert.equal(asVideo.status, 404, JSON.stringify(asVideo.body));
    });

    it('keeps the clip narrowed when B renames it, and refuses to make it public again', async () => {
      const { config, clipper, other, clipOfPrivate } = world;

      const renamed = await callApi(config, 'PATCH', `/videos/${clipOfPrivate}`, {
        ...as(clipper),
        body: { title: 'Renamed after the source went private' },
      });
      const widened = await callApi(config, 'PATCH', `/videos/${clipOfPrivate}`, {
        ...as(clipper),
        body: { visibility: 'public' },
      });
      const seen = await callApi(config, 'GET', `/clips/${clipOfPrivate}`, as(other));
      const listed = await callApi(config, 'GET', '/videos?scope=public&limit=50', as(other));

      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.equal(renamed.body.visibility, 'private');
      assert.equal(widened.status, 400, JSON.stringify(widened.body));
      assert.equal(widened.body.code, 'VISIBILITY_TOO_OPEN');
      assert.equal(seen.status, 404);
      assert.ok(!(listed.body.items as { videoId: string }[]).some((item) => item.videoId === clipOfPrivate));
    });

    it('gives B, who owns the clip, no playback of a source B can no longer watch', async () => {
      const { config, clipper, clipOfPrivate } = world;

      const own = await callApi(config, 'GET', `/clips/${clipOfPrivate}`, as(clipper));

      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal(own.body.playback, undefined);
    });
  });

  describe('the authorization matrix', () => {
    it('has a row for every route of the route table, and no row for a route that is not there', () => {
      const operations = routes.map((route) => route.operation.operationId).sort();

      assert.deepEqual(Object.keys(MATRIX).sort(), operations);
    });

    /** The target's id and its owner, for one target of a row. */
    async function targetOf(
      operationId: string,
      row: MatrixRow,
      target: string,
    ): Promise<{ id?: string; owner: Person }> {
      const { owner, clipper } = world;
      if (row.targets === 'none') return { owner };
      if (target === 'clipOfPrivate') return { id: world.clipOfPrivate, owner: clipper };
      if (row.targets === 'videos') return { id: world.videos[target as 'public'], owner };
      if (row.targets === 'clips') return { id: world.clips[target as 'public'], owner };
      if (row.targets === 'streams') {
        return target === 'public'
          ? { id: world.streams.public, owner }
          : { id: world.streams.private, owner: clipper };
      }
      // Uploads: a fresh one for each row, so one row's abort does not decide the next row's cells.
      const created = await callApi(world.config, 'POST', '/uploads', {
        ...as(owner),
        body: { fileName: `${operationId}-${target}.mp4`, size: 1_000_000, visibility: target },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return { id: created.body.videoId as string, owner };
    }

    const ordered = [...routes].sort(
      (a, b) =>
        Number(MATRIX[a.operation.operationId]?.destroys ?? false) -
        Number(MATRIX[b.operation.operationId]?.destroys ?? false),
    );
    for (const route of ordered) {
      const { operationId, method, path } = route.operation;
      it(`${operationId} (${method} ${path}): every caller on every target gets the status of its cell`, async () => {
        const row = MATRIX[operationId];
        assert.ok(row, `${operationId} has no row in authorization-matrix.ts`);
        const targets = TARGETS[row.targets];
        const actual = Object.fromEntries(CALLERS.map((caller) => [caller, [] as (number | string)[]]));
        for (const [index, target] of targets.entries()) {
          const { id, owner } = await targetOf(operationId, row, target);
          const url = `${path.replace(/\{[^}]+\}/, id ?? '')}${QUERIES[operationId] ?? ''}`;
          // The owner last: its cell may be the one that changes the target (abort, delete).
          for (const caller of ['anonymous', 'signedOut', 'other', 'owner'] as const) {
            const token = {
              owner: owner.token,
              other: world.other.token,
              signedOut: owner.signedOutToken,
              anonymous: undefined,
            }[caller];
            const answer = await callApi(world.config, method, url, {
              ...(token ? { token } : {}),
              ...(BODIES[operationId] === undefined ? {} : { body: BODIES[operationId] }),
            });
            (actual[caller] as (number | string)[])[index] = verdict(caller, answer);
          }
        }

        assert.deepEqual(
          actual,
          Object.fromEntries(CALLERS.map((caller) => [caller, [...row.expect[caller]]])),
          `${operationId} on ${targets.join(', ')}`,
        );
      });
    }
  });
});
