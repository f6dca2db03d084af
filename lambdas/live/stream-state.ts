import { RECORDING_STATE_CHANGE, STREAM_STATE_CHANGE } from '#contract/events/ivs.ts';

/**
 * Live status of each channel, from IVS's EventBridge events. IVS delivers them on a best-effort basis:
 * missing, hours late, repeated or out of order ("Stream End before Stream Start"). So the state is not a
 * state machine driven by arrival order; it is a set of facts per stream id, each merged with min or max,
 * and the status is read from those facts. Merging is commutative, associative and idempotent, so the
 * final state depends only on which events arrived, never on their order or how often each came.
 *
 * A DynamoDB adapter applies the same merge with one conditional update per fact (see
 * {@link STREAM_FACT_RULES}) on an item per stream id, and finds a channel's current stream by querying
 * that channel's streams newest first (see {@link currentSession}): the choice of the current stream is
 * made when reading, because writing "stream B superseded stream A" would itself depend on the order in
 * which A's and B's events arrived.
 */

/**
 * An EventBridge event from IVS, as far as we read it. Handlers parse what they receive with the contract's
 * schemas (`#contract/events/ivs.ts`) first; this looser shape lets the rules below be applied to any event,
 * and they still refuse one without the fields they need.
 */
export interface IvsEvent {
  'detail-type': string;
  source: string;
  /** When the change happened (ISO 8601, UTC, seconds). */
  time: string;
  /** The channel ARN. */
  resources: string[];
  detail: {
    event_name?: string;
    recording_status?: string;
    channel_name?: string;
    stream_id?: string;
    recording_session_stream_ids?: string[];
    [field: string]: unknown;
  };
}

/** What one event says about one stream. */
export type StreamSignal =
  | { kind: 'created'; channelArn: string; streamId: string; at: string }
  | { kind: 'started'; channelArn: string; streamId: string; at: string }
  | { kind: 'ended'; channelArn: string; streamId: string; at: string }
  /** The recording of the stream ended: the broadcast is over even if its Stream End never comes. */
  | { kind: 'recordingEnded'; channelArn: string; streamId: string; at: string }
  | { kind: 'failed'; channelArn: string; streamId: string; at: string; reason?: string };

/**
 * Everything known about one stream id. Every field is either fixed (the ids) or merged with min, so
 * that each fact keeps the earliest time it was reported at; `lastEventAt` is merged with max.
 */
export interface StreamFacts {
  channelArn: string;
  streamId: string;
  /** Earliest time of any event of this stream: orders streams of a channel (newest = greatest). */
  firstEventAt: string;
  /** Latest time of any event of this stream (for the record; not used to decide anything). */
  lastEventAt: string;
  /** Session Created: the stream key was used; the stream may still fail before it goes live. */
  createdAt?: string;
  /** Stream Start: segments are available to viewers. */
  startedAt?: string;
  /** Stream End. */
  endedAt?: string;
  /** Recording End (or Recording End Failure) of a recording session that includes this stream. */
  recordingEndedAt?: string;
  /** Stream Failure. */
  failedAt?: string;
  failureReason?: string;
}

export type StreamStatus = 'LIVE' | 'OFFLINE';

/** A stream session as the catalog shows it. */
export interface StreamSession {
  channelArn: string;
  streamId: string;
  status: StreamStatus;
  startedAt?: string;
  /** When it stopped being live; absent while LIVE (and for a stream that never started nor ended). */
  endedAt?: string;
  failure?: { code: 'STREAM_FAILED'; message: string; at: string };
}

/**
 * The conditions a DynamoDB adapter puts on its update of a stream item (`STREAM#<streamId>`), one per
 * fact an event carries, each with the event's time as `:at`. A failed condition means the item already
 * holds an earlier (or the same) report: the event is stale or repeated and the update is a no-op.
 * - the ids and `firstEventAt`/`createdAt`/`startedAt`/`endedAt`/`recordingEndedAt`/`failedAt`: keep the
 *   minimum — `attribute_not_exists(f) OR f > :at`;
 * - `lastEventAt`: keep the maximum — `attribute_not_exists(f) OR f < :at`;
 * - `failureReason` is written in the same update as `failedAt`, so it belongs to the earliest failure;
 *   for two failures at the same time the smaller reason wins: `… OR (failedAt = :at AND failureReason > :reason)`.
 * Status is never stored as the result of one event: it is {@link sessionOf} the merged facts, so "the
 * end wins over the start of the same stream id" holds whatever the order. A stored copy of it (for a
 * "live now" index) must be recomputed from the item's new values (`ReturnValues: ALL_NEW`) and written
 * with the condition `lastEventAt = :seen` so a concurrent update cannot be overwritten by a stale copy.
 * Times are ISO 8601 UTC strings of one format, so string comparison is time comparison.
 */
export const STREAM_FACT_RULES = {
  min: ['firstEventAt', 'createdAt', 'startedAt', 'endedAt', 'recordingEndedAt', 'failedAt'],
  max: ['lastEventAt'],
} as const satisfies Record<'min' | 'max', readonly (keyof StreamFacts)[]>;

/** Readable reason an event cannot be read as an IVS stream or recording event. */
export class MalformedIvsEventError extends Error {
  override name = 'MalformedIvsEventError';
}

/** Normalizes EventBridge's `time` so that string order is time order (`…:05Z` and `…:05.000Z` agree). */
function normalizeTime(time: unknown, what: string): string {
  const parsed = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (Number.isNaN(parsed))
    throw new MalformedIvsEventError(`${what}: "time" is not a date: ${String(time)}`);
  return new Date(parsed).toISOString();
}

/**
 * What an IVS event says about streams: none (events we do not read, e.g. Recording Start or Stream
 * Health), one, or — for a Recording End whose session merged several streams after reconnects — one per
 * stream of the recording session.
 */
export function streamSignals(event: IvsEvent): StreamSignal[] {
  const type = event['detail-type'];
  if (type !== STREAM_STATE_CHANGE && type !== RECORDING_STATE_CHANGE) return [];
  const what = `${type} event`;
  const channelArn = event.resources?.[0];
  if (typeof channelArn !== 'string' || !channelArn.startsWith('arn:'))
    throw new MalformedIvsEventError(`${what}: "resources" has no channel ARN`);
  const streamId = event.detail?.stream_id;
  if (typeof streamId !== 'string' || streamId === '')
    throw new MalformedIvsEventError(`${what}: "detail.stream_id" is missing`);
  const at = normalizeTime(event.time, what);
  const base = { channelArn, streamId, at };

  if (type === STREAM_STATE_CHANGE) {
    switch (event.detail.event_name) {
      case 'Session Created':
        return [{ kind: 'created', ...base }];
      case 'Stream Start':
        return [{ kind: 'started', ...base }];
      case 'Stream End':
        return [{ kind: 'ended', ...base }];
      case 'Stream Failure': {
        // IVS documents a `code` with more detail for some stream events; keep it when there is one.
        const reason = event.detail.code;
        return [{ kind: 'failed', ...base, ...(typeof reason === 'string' && reason ? { reason } : {}) }];
      }
      default:
        return [];
    }
  }
  // A failed end still means the recording (and so the broadcast) is over; a failed start does not.
  const status = event.detail.recording_status;
  if (status !== 'Recording End' && status !== 'Recording End Failure') return [];
  const sessionStreams = event.detail.recording_session_stream_ids;
  const ids = new Set([streamId, ...(Array.isArray(sessionStreams) ? sessionStreams : [])]);
  return [...ids]
    .filter((id): id is string => typeof id === 'string' && id !== '')
    .map((id) => ({ kind: 'recordingEnded', channelArn, streamId: id, at }));
}

const earlier = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a <= b ? a : b;
const later = (a: string, b: string) => (a >= b ? a : b);

/** The facts of one signal alone. */
export function factsOf(signal: StreamSignal): StreamFacts {
  const facts: StreamFacts = {
    channelArn: signal.channelArn,
    streamId: signal.streamId,
    firstEventAt: signal.at,
    lastEventAt: signal.at,
  };
  switch (signal.kind) {
    case 'created':
      facts.createdAt = signal.at;
      break;
    case 'started':
      facts.startedAt = signal.at;
      break;
    case 'ended':
      facts.endedAt = signal.at;
      break;
    case 'recordingEnded':
      facts.recordingEndedAt = signal.at;
      break;
    case 'failed':
      facts.failedAt = signal.at;
      if (signal.reason) facts.failureReason = signal.reason;
      break;
  }
  return facts;
}

/** Joins two sets of facts about the same stream: commutative, associative and idempotent. */
export function mergeFacts(a: StreamFacts, b: StreamFacts): StreamFacts {
  if (a.streamId !== b.streamId || a.channelArn !== b.channelArn)
    throw new Error(`Cannot merge facts of ${a.streamId} and ${b.streamId}`);
  const merged: StreamFacts = {
    channelArn: a.channelArn,
    streamId: a.streamId,
    firstEventAt: earlier(a.firstEventAt, b.firstEventAt) as string,
    lastEventAt: later(a.lastEventAt, b.lastEventAt),
  };
  for (const field of ['createdAt', 'startedAt', 'endedAt', 'recordingEndedAt'] as const) {
    const value = earlier(a[field], b[field]);
    if (value !== undefined) merged[field] = value;
  }
  const failedAt = earlier(a.failedAt, b.failedAt);
  if (failedAt !== undefined) {
    merged.failedAt = failedAt;
    // The reason travels with its failure; two reports at the same time are told apart by the reason itself.
    const reasons = [a, b]
      .filter((facts) => facts.failedAt === failedAt && facts.failureReason !== undefined)
      .map((facts) => facts.failureReason as string)
      .sort();
    if (reasons[0] !== undefined) merged.failureReason = reasons[0];
  }
  return merged;
}

/** All streams' facts, by stream id. */
export type StreamLedger = ReadonlyMap<string, StreamFacts>;

/** The ledger with one more signal: a new map, the old one is untouched. */
export function applySignal(ledger: StreamLedger, signal: StreamSignal): StreamLedger {
  const next = new Map(ledger);
  const known = ledger.get(signal.streamId);
  next.set(signal.streamId, known ? mergeFacts(known, factsOf(signal)) : factsOf(signal));
  return next;
}

/** Applies IVS events, in whatever order they came, to a ledger (empty by default). */
export function applyEvents(events: Iterable<IvsEvent>, ledger: StreamLedger = new Map()): StreamLedger {
  let next = ledger;
  for (const event of events) for (const signal of streamSignals(event)) next = applySignal(next, signal);
  return next;
}

/**
 * One stream as the catalog shows it. It ends at the earliest of its end, its failure and its recording's
 * end — an end beats a start whatever order they came in — and, when a newer stream of the same channel
 * exists (`supersededAt` = that stream's `firstEventAt`), it is over by then at the latest.
 */
export function sessionOf(facts: StreamFacts, supersededAt?: string): StreamSession {
  const endedAt = facts.endedAt ?? earlier(earlier(facts.failedAt, facts.recordingEndedAt), supersededAt);
  const session: StreamSession = {
    channelArn: facts.channelArn,
    streamId: facts.streamId,
    status: facts.startedAt !== undefined && endedAt === undefined ? 'LIVE' : 'OFFLINE',
  };
  if (facts.startedAt !== undefined) session.startedAt = facts.startedAt;
  if (endedAt !== undefined) session.endedAt = endedAt;
  if (facts.failedAt !== undefined) {
    session.failure = {
      code: 'STREAM_FAILED',
      message: `The stream failed${facts.failureReason ? ` (${facts.failureReason})` : ''}: IVS could not process it. Check the encoder settings and go live again.`,
      at: facts.failedAt,
    };
  }
  return session;
}

/** Newest first: by first event time, then by stream id so that ties are broken the same way everywhere. */
export function compareNewestFirst(a: StreamFacts, b: StreamFacts): number {
  if (a.firstEventAt !== b.firstEventAt) return a.firstEventAt > b.firstEventAt ? -1 : 1;
  return a.streamId === b.streamId ? 0 : a.streamId > b.streamId ? -1 : 1;
}

/** Every stream of a channel, newest first, each closed by the next newer one if nothing else closed it. */
export function channelSessions(ledger: StreamLedger, channelArn: string): StreamSession[] {
  const streams = [...ledger.values()]
    .filter((facts) => facts.channelArn === channelArn)
    .sort(compareNewestFirst);
  return streams.map((facts, i) => sessionOf(facts, i === 0 ? undefined : streams[i - 1]?.firstEventAt));
}

/**
 * The channel's current stream session — the newest stream id — or undefined if IVS never reported one.
 * In DynamoDB: query the channel's streams by a sort key `<firstEventAt>#<streamId>`, newest first, limit 1.
 */
export function currentSession(ledger: StreamLedger, channelArn: string): StreamSession | undefined {
  return channelSessions(ledger, channelArn)[0];
}

/** A channel's id (the stream id), the last part of its ARN: `arn:aws:ivs:…:channel/<id>`. */
export const channelIdOf = (channelArn: string): string => channelArn.split('/').pop() as string;
