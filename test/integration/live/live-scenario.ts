/**
 * Many creators' broadcasts as IVS reports them on EventBridge: for each channel a few recording sessions, some
 * with an encoder that reconnected (two streams in one recording), some whose stream failed, some whose recording
 * ended badly, and on some channels a last stream still live. Each session knows what the catalog must show for it
 * at the end, so a test can deliver the events in any order, any number of times, and check the outcome.
 */
import { readFileSync } from 'node:fs';
import type { EventBridgeEvent } from 'aws-lambda';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export type IvsBusEvent = EventBridgeEvent<string, Record<string, unknown>>;

/** How a recording session ends. */
export type SessionEnding =
  /** Stream End, then Recording End with good metadata: a READY video. */
  | 'clean'
  /** An encoder reconnect: two streams, one recording; the first stream's Stream End never comes. */
  | 'reconnected'
  /** Stream Failure, then Recording End Failure: a FAILED video with IVS's reason. */
  | 'stream-failed'
  /** Recording End, but IVS's recording-ended.json says the recording ended with a failure: a FAILED video. */
  | 'recording-failed'
  /** Still live: Stream Start and Recording Start only. */
  | 'live';

export interface ScenarioSession {
  channelArn: string;
  sessionId: string;
  streamIds: string[];
  ending: SessionEnding;
  keyPrefix: string;
  startedAt: string;
  endedAt?: string;
  /** The recording's `recording-ended.json`, for sessions that reached a Recording End. */
  metadata?: string;
}

export interface ScenarioChannel {
  channelArn: string;
  streamId: string;
  ownerId: string;
  sessions: ScenarioSession[];
}

export interface Scenario {
  channels: ScenarioChannel[];
  events: IvsBusEvent[];
}

/** A small seeded generator (mulberry32): the same seed gives the same scenario and the same deliveries. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const metadataFixture = readFileSync(
  new URL('../../fixtures/events/ivs-recording-ended-metadata.json', import.meta.url),
  'utf8',
);

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

let eventNumber = 0;
function busEvent(detailType: string, channelArn: string, at: number, detail: Record<string, unknown>) {
  eventNumber += 1;
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${String(eventNumber).padStart(12, '0')}`,
    'detail-type': detailType,
    source: 'aws.ivs',
    account: ACCOUNT,
    time: iso(at),
    region: REGION,
    resources: [channelArn],
    detail,
  } as IvsBusEvent;
}

/**
 * `channelCount` channels of `application`, each with `sessionsPerChannel` sessions one hour apart; the
 * endings cycle so that every kind occurs, and every other channel's last session is still live.
 */
export function buildScenario(options: {
  application: string;
  bucket: string;
  channelCount: number;
  sessionsPerChannel: number;
  random: () => number;
}): Scenario {
  const { random } = options;
  const endings: SessionEnding[] = ['clean', 'reconnected', 'stream-failed', 'recording-failed'];
  const channels: ScenarioChannel[] = [];
  const events: IvsBusEvent[] = [];
  const day = Date.parse('2026-11-21T00:00:00Z');
  for (let c = 0; c < options.channelCount; c += 1) {
    const streamId = `FaultChan${String(c).padStart(3, '0')}`;
    const channelArn = `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/${streamId}`;
    const channelName = `${options.application}-creator-${c}`;
    const channel: ScenarioChannel = { channelArn, streamId, ownerId: `creator-${c}`, sessions: [] };
    for (let s = 0; s < options.sessionsPerChannel; s += 1) {
      const last = s === options.sessionsPerChannel - 1;
      const ending: SessionEnding =
        last && c % 2 === 0 ? 'live' : (endings[(c + s) % endings.length] as SessionEnding);
      const start =
        day + (c * options.sessionsPerChannel + s) * 3_600_000 + Math.floor(random() * 600) * 1000;
      const sessionId = `rec${c}x${s}${Math.floor(random() * 1e6).toString(36)}`;
      const minute = new Date(start);
      const keyPrefix = `ivs/v1/${ACCOUNT}/${streamId}/${minute.getUTCFullYear()}/${minute.getUTCMonth() + 1}/${minute.getUTCDate()}/${minute.getUTCHours()}/${minute.getUTCMinutes()}/${sessionId}`;
      const streamIds = [`st-${c}-${s}-a`, ...(ending === 'reconnected' ? [`st-${c}-${s}-b`] : [])];
      const session: ScenarioSession = {
        channelArn,
        sessionId,
        streamIds,
        ending,
        keyPrefix,
        startedAt: new Date(start + 2000).toISOString(),
      };
      const stream = (at: number, name: string, id: string, extra: Record<string, unknown> = {}) =>
        busEvent('IVS Stream State Change', channelArn, at, {
          event_name: name,
          channel_name: channelName,
          stream_id: id,
          ...extra,
        });
      const recording = (at: number, status: string, reason = '') =>
        busEvent('IVS Recording State Change', channelArn, at, {
          channel_name: channelName,
          stream_id: streamIds.at(-1),
          recording_status: status,
          recording_status_reason: reason,
          recording_s3_bucket_name: options.bucket,
          recording_s3_key_prefix: keyPrefix,
          recording_duration_ms: status === 'Recording Start' ? 0 : 1_200_000,
          recording_session_id: sessionId,
          recording_session_stream_ids: streamIds,
        });
      const first = streamIds[0] as string;
      events.push(
        stream(start, 'Session Created', first),
        stream(start + 2000, 'Stream Start', first),
        recording(start + 3000, 'Recording Start'),
      );
      const end = start + 1_200_000;
      if (ending === 'reconnected') {
        const second = streamIds[1] as string;
        events.push(
          stream(start + 600_000, 'Session Created', second),
          stream(start + 602_000, 'Stream Start', second),
          stream(end, 'Stream End', second),
        );
      }
      if (ending === 'clean' || ending === 'recording-failed') events.push(stream(end, 'Stream End', first));
      if (ending === 'stream-failed')
        events.push(stream(end, 'Stream Failure', first, { code: 'InvalidInput' }));
      if (ending !== 'live') {
        session.endedAt = iso(end + 5000);
        const failedEnd = ending === 'stream-failed';
        events.push(
          recording(
            end + 5000,
            failedEnd ? 'Recording End Failure' : 'Recording End',
            failedEnd ? 'InternalServerException' : '',
          ),
        );
        const metadata = JSON.parse(metadataFixture);
        metadata.channel_arn = channelArn;
        metadata.recording_status =
          ending === 'recording-failed' ? 'RECORDING_ENDED_WITH_FAILURE' : 'RECORDING_ENDED';
        session.metadata = JSON.stringify(metadata);
      }
      channel.sessions.push(session);
    }
    channels.push(channel);
  }
  return { channels, events };
}

/**
 * Deliveries as EventBridge makes them at worst: each event 1–3 times, all shuffled, and about one in
 * `lateOneIn` of them held back and delivered after all the others.
 */
export function faultyDeliveries(events: IvsBusEvent[], random: () => number, lateOneIn = 6): IvsBusEvent[] {
  const copies = events.flatMap((event) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => event));
  const shuffle = <T>(list: T[]) => {
    for (let i = list.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j] as T, list[i] as T];
    }
    return list;
  };
  const onTime: IvsBusEvent[] = [];
  const late: IvsBusEvent[] = [];
  for (const copy of shuffle(copies)) (random() * lateOneIn < 1 ? late : onTime).push(copy);
  return [...onTime, ...late];
}
