import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  announcementEnvelope,
  encodeMetadata,
  reactionsEnvelope,
} from '../../../lambdas/interactivity/metadata.ts';
import { announcementSeconds, parseLiveMetadata } from '../../../web/src/watch/live-metadata.ts';

const announcement = {
  announcementId: 'a1',
  kind: 'news' as const,
  text: 'Back in five',
  postedAt: '2026-12-04T12:00:00.000Z',
  endsAt: '2026-12-04T12:00:20.000Z',
};

describe('in-band envelopes in the web app', () => {
  it('reads what the backend puts in-band', () => {
    const reactions = encodeMetadata(
      reactionsEnvelope({ heart: 3, fire: 1 }, '2026-12-04T12:00:00.000Z', '2026-12-04T12:00:01.000Z'),
    );
    assert.deepEqual(parseLiveMetadata(reactions), {
      v: 1,
      type: 'reactions',
      counts: { heart: 3, fire: 1 },
      first: '2026-12-04T12:00:00.000Z',
      last: '2026-12-04T12:00:01.000Z',
    });
    const parsed = parseLiveMetadata(encodeMetadata(announcementEnvelope(announcement)));
    assert.deepEqual(parsed, { v: 1, type: 'announcement', announcement });
    assert.equal(announcementSeconds(announcement), 20);
  });

  it('ignores what is not one of our envelopes, and what says more than one can', () => {
    for (const text of [
      'not json',
      '42',
      '[]',
      '{"v":2,"type":"reactions","counts":{},"first":"2026-12-04T12:00:00Z","last":"2026-12-04T12:00:00Z"}',
      '{"v":1,"type":"adBreak"}',
      '{"v":1,"type":"reactions","counts":[],"first":"x","last":"y"}',
      JSON.stringify({ v: 1, type: 'announcement', announcement: { ...announcement, kind: 'popup' } }),
      JSON.stringify({
        v: 1,
        type: 'announcement',
        announcement: { ...announcement, endsAt: announcement.postedAt },
      }),
      JSON.stringify({ v: 1, type: 'announcement', announcement: { ...announcement, text: 7 } }),
    ])
      assert.equal(parseLiveMetadata(text), undefined, text);
    const odd = parseLiveMetadata(
      JSON.stringify({
        v: 1,
        type: 'reactions',
        counts: { heart: -4, fire: 1.5, wow: 1e300, clap: 2, poop: 9 },
        first: '2026-12-04T12:00:00Z',
        last: '2026-12-04T12:00:00Z',
      }),
    );
    assert.deepEqual(odd?.type === 'reactions' && odd.counts, { clap: 2 });
  });
});
