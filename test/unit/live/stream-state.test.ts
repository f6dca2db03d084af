import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  applyEvents,
  channelSessions,
  currentSession,
  type IvsEvent,
  MalformedIvsEventError,
  mergeFacts,
  type StreamFacts,
  type StreamLedger,
  streamSignals,
} from '../../../lambdas/live/stream-state.ts';

const fixture = (name: string): IvsEvent =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

const CHANNEL = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdef1G2hij';
const STREAM = 'st-1A2b3c4D5e6F78ghij9Klmn';

/** A fixture event of the given kind for `streamId` at `time`, everything else as AWS documents it. */
function event(
  kind: 'start' | 'end' | 'failure' | 'created' | 'recordingEnd',
  streamId: string,
  time: string,
) {
  const base =
    kind === 'start'
      ? fixture('ivs-stream-start.json')
      : kind === 'end'
        ? fixture('ivs-stream-end.json')
        : kind === 'failure'
          ? fixture('ivs-stream-failure.json')
          : kind === 'created'
            ? {
                ...fixture('ivs-stream-start.json'),
                detail: { ...fixture('ivs-stream-start.json').detail, event_name: 'Session Created' },
              }
            : fixture('ivs-recording-end.json');
  return {
    ...base,
    time,
    detail: { ...base.detail, stream_id: streamId, recording_session_stream_ids: [streamId] },
  } as IvsEvent;
}

const asPlain = (ledger: StreamLedger) => [...ledger.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

describe('streamSignals', () => {
  it('reads the documented Stream Start, Stream End and Stream Failure events', () => {
    assert.deepEqual(streamSignals(fixture('ivs-stream-start.json')), [
      { kind: 'started', channelArn: CHANNEL, streamId: STREAM, at: '2026-11-21T10:00:05.000Z' },
    ]);
    assert.equal(streamSignals(fixture('ivs-stream-end.json'))[0]?.kind, 'ended');
    assert.equal(streamSignals(fixture('ivs-stream-failure.json'))[0]?.kind, 'failed');
  });

  it('reads a Recording End as the end of every stream of its recording session', () => {
    const recordingEnd = fixture('ivs-recording-end.json');
    recordingEnd.detail.recording_session_stream_ids = [STREAM, 'st-reconnected'];

    const signals = streamSignals(recordingEnd);

    assert.deepEqual(
      signals.map((signal) => [signal.kind, signal.streamId]),
      [
        ['recordingEnded', STREAM],
        ['recordingEnded', 'st-reconnected'],
      ],
    );
  });

  it('ignores Recording Start and events of other types', () => {
    assert.deepEqual(streamSignals(fixture('ivs-recording-start.json')), []);
    assert.deepEqual(
      streamSignals({ ...fixture('ivs-stream-start.json'), 'detail-type': 'IVS Stream Health Change' }),
      [],
    );
  });

  it('says what is missing from a malformed event', () => {
    const noStream = fixture('ivs-stream-start.json');
    delete noStream.detail.stream_id;
    assert.throws(() => streamSignals(noStream), {
      name: 'MalformedIvsEventError',
      message: /detail\.stream_id/,
    });
    assert.throws(
      () => streamSignals({ ...fixture('ivs-stream-end.json'), resources: [] }),
      MalformedIvsEventError,
    );
    assert.throws(
      () => streamSignals({ ...fixture('ivs-stream-end.json'), time: 'yesterday' }),
      /"time" is not a date/,
    );
  });
});

describe('currentSession', () => {
  it('is LIVE from its Stream Start', () => {
    const ledger = applyEvents([fixture('ivs-stream-start.json')]);

    assert.deepEqual(currentSession(ledger, CHANNEL), {
      channelArn: CHANNEL,
      streamId: STREAM,
      status: 'LIVE',
      startedAt: '2026-11-21T10:00:05.000Z',
    });
  });

  it('ends OFFLINE with both times when Stream End comes before Stream Start', () => {
    const ledger = applyEvents([fixture('ivs-stream-end.json'), fixture('ivs-stream-start.json')]);

    assert.deepEqual(currentSession(ledger, CHANNEL), {
      channelArn: CHANNEL,
      streamId: STREAM,
      status: 'OFFLINE',
      startedAt: '2026-11-21T10:00:05.000Z',
      endedAt: '2026-11-21T10:20:12.000Z',
    });
  });

  it('is closed by the Recording End when its Stream End never comes', () => {
    const ledger = applyEvents([fixture('ivs-recording-end.json'), fixture('ivs-stream-start.json')]);

    const session = currentSession(ledger, CHANNEL);

    assert.equal(session?.status, 'OFFLINE');
    assert.equal(session?.endedAt, '2026-11-21T10:20:45.000Z');
  });

  it('keeps the Stream End time when the Recording End comes too', () => {
    const ledger = applyEvents([
      fixture('ivs-recording-end.json'),
      fixture('ivs-stream-start.json'),
      fixture('ivs-stream-end.json'),
    ]);

    assert.equal(currentSession(ledger, CHANNEL)?.endedAt, '2026-11-21T10:20:12.000Z');
  });

  it('is OFFLINE with a readable failure after a Stream Failure', () => {
    const ledger = applyEvents([fixture('ivs-stream-failure.json'), fixture('ivs-stream-start.json')]);

    const session = currentSession(ledger, CHANNEL);

    assert.equal(session?.status, 'OFFLINE');
    assert.equal(session?.endedAt, '2026-11-21T10:00:07.000Z');
    assert.equal(session?.failure?.code, 'STREAM_FAILED');
    assert.match(session?.failure?.message ?? '', /encoder settings/);
  });

  it('is not LIVE after Session Created alone: the stream may still fail before it goes live', () => {
    const ledger = applyEvents([event('created', STREAM, '2026-11-21T10:00:01Z')]);

    assert.equal(currentSession(ledger, CHANNEL)?.status, 'OFFLINE');
    assert.equal(currentSession(ledger, CHANNEL)?.endedAt, undefined);
  });

  it('is the newer stream id, which also closes an older stream whose end never came', () => {
    const ledger = applyEvents([
      event('start', 'st-new', '2026-11-21T11:00:00Z'),
      event('start', 'st-old', '2026-11-21T10:00:00Z'),
    ]);

    const [current, older] = channelSessions(ledger, CHANNEL);

    assert.deepEqual(
      [current?.streamId, current?.status, older?.streamId, older?.status, older?.endedAt],
      ['st-new', 'LIVE', 'st-old', 'OFFLINE', '2026-11-21T11:00:00.000Z'],
    );
  });

  it('is undefined for a channel IVS never reported', () => {
    assert.equal(currentSession(applyEvents([fixture('ivs-stream-start.json')]), `${CHANNEL}x`), undefined);
  });
});

/** A channel's history: 1–4 streams one after the other, each with some of its events (any may be missing). */
const history = fc
  .array(
    fc.record({
      created: fc.boolean(),
      start: fc.boolean(),
      end: fc.boolean(),
      failure: fc.boolean(),
      recordingEnd: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((streams) =>
    streams.flatMap((has, i) => {
      const at = (second: number) => new Date(Date.UTC(2026, 10, 21, 10 + i, 0, second)).toISOString();
      const id = `st-${String.fromCharCode(97 + ((i * 7) % 26))}${i}`;
      return [
        ...(has.created ? [event('created', id, at(1))] : []),
        ...(has.start ? [event('start', id, at(5))] : []),
        ...(has.failure ? [event('failure', id, at(7))] : []),
        ...(has.end ? [event('end', id, at(40))] : []),
        ...(has.recordingEnd ? [event('recordingEnd', id, at(50))] : []),
      ];
    }),
  )
  .filter((events) => events.length > 0);

/** The same events, shuffled, with some of them delivered again. */
const deliveries = history.chain((events) =>
  fc.tuple(
    fc.constant(events),
    fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
    fc.array(fc.constantFrom(...events), { maxLength: events.length }),
    fc.nat(),
  ),
);

describe('applyEvents (properties)', () => {
  it('reaches the same state whatever the order and repetition of the events', () => {
    fc.assert(
      fc.property(deliveries, ([inOrder, shuffled, again, cut]) => {
        const split = cut % (shuffled.length + 1);
        const delivered = [...shuffled.slice(0, split), ...again, ...shuffled.slice(split), ...again];

        const expected = applyEvents(inOrder);
        const actual = applyEvents(delivered);

        assert.deepEqual(asPlain(actual), asPlain(expected));
        assert.deepEqual(channelSessions(actual, CHANNEL), channelSessions(expected, CHANNEL));
      }),
    );
  });

  it('reaches the same state when events are applied in batches to a stored ledger', () => {
    fc.assert(
      fc.property(deliveries, fc.nat(), ([inOrder, shuffled], cut) => {
        const split = cut % (shuffled.length + 1);
        const stored = applyEvents(shuffled.slice(0, split));

        const actual = applyEvents(shuffled.slice(split), stored);

        assert.deepEqual(asPlain(actual), asPlain(applyEvents(inOrder)));
      }),
    );
  });

  it('has at most one LIVE stream per channel, and only a started stream nothing has closed', () => {
    fc.assert(
      fc.property(history, (events) => {
        const sessions = channelSessions(applyEvents(events), CHANNEL);
        const live = sessions.filter((session) => session.status === 'LIVE');

        assert.ok(live.length <= 1);
        for (const session of live) {
          assert.equal(session, sessions[0]);
          assert.ok(session.startedAt);
          assert.equal(session.endedAt, undefined);
          assert.equal(session.failure, undefined);
        }
        for (const session of sessions.slice(1)) assert.equal(session.status, 'OFFLINE');
      }),
    );
  });
});

const time = fc
  .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) })
  .map((ms) => new Date(ms).toISOString());
const facts: fc.Arbitrary<StreamFacts> = fc
  .record(
    {
      first: time,
      last: time,
      createdAt: time,
      startedAt: time,
      endedAt: time,
      recordingEndedAt: time,
      failedAt: time,
      failureReason: fc.constantFrom('a', 'b'),
    },
    { requiredKeys: ['first', 'last'] },
  )
  .map(({ first, last, ...rest }) => ({
    channelArn: CHANNEL,
    streamId: STREAM,
    firstEventAt: first < last ? first : last,
    lastEventAt: first < last ? last : first,
    ...rest,
  }))
  .map((f) => {
    // A reason only ever comes with its failure.
    if (f.failedAt === undefined) delete f.failureReason;
    return f;
  });

describe('mergeFacts (the rules a conditional write must follow)', () => {
  it('is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(facts, facts, facts, (a, b, c) => {
        assert.deepEqual(mergeFacts(a, b), mergeFacts(b, a));
        assert.deepEqual(mergeFacts(mergeFacts(a, b), c), mergeFacts(a, mergeFacts(b, c)));
        assert.deepEqual(mergeFacts(a, a), a);
      }),
    );
  });

  it('keeps the earliest report of each fact and the latest event time', () => {
    fc.assert(
      fc.property(facts, facts, (a, b) => {
        const merged = mergeFacts(a, b);

        assert.equal(merged.firstEventAt, a.firstEventAt < b.firstEventAt ? a.firstEventAt : b.firstEventAt);
        assert.equal(merged.lastEventAt, a.lastEventAt > b.lastEventAt ? a.lastEventAt : b.lastEventAt);
        const ends = [a.endedAt, b.endedAt].filter((value) => value !== undefined).sort();
        assert.equal(merged.endedAt, ends[0]);
      }),
    );
  });

  it('refuses to merge two different streams', () => {
    assert.throws(() =>
      mergeFacts(
        { channelArn: CHANNEL, streamId: 'st-a', firstEventAt: 'x', lastEventAt: 'x' },
        { channelArn: CHANNEL, streamId: 'st-b', firstEventAt: 'x', lastEventAt: 'x' },
      ),
    );
  });
});
