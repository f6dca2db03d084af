/**
 * `interactivity`: reactions at audience scale on the local platform. The platform runs in a process of its
 * own, a creator goes live through startStream with an ffmpeg test pattern, and 1,000 simulated viewers (each a
 * user of its own, in another process) send one reaction a second for 30 s. Meanwhile this process watches the
 * stream as a player does: it polls one rendition's live playlist every 100 ms, fetches each new segment and
 * reads the ID3 timed metadata in it. Measured:
 * - reactions accepted (202) against reactions counted (watchStream's totals) and against reactions delivered
 *   in-band (the counts of every reactions envelope found in the segments): lost and double;
 * - PutMetadata calls per second on the channel, as the stream carries them: each envelope sits at the position
 *   of the stream when IVS took the call (segment PROGRAM-DATE-TIME + its PTS offset), so the most envelopes in
 *   any one-second span of the stream is the most calls in a second;
 * - sendReaction latency p50/p99 as the viewers see it;
 * - accept → in a served segment: for each accepted reaction, from the acceptedAt the API answered with to the
 *   moment this process first saw, in the live playlist, the segment whose envelope covers it.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { parseMediaPlaylist } from '../lambdas/contract/hls/index.ts';
import { type LiveMetadata, REACTIONS } from '../lambdas/contract/interactivity.ts';
import { emulatorClientConfig } from '../local/emulator-clients.ts';
import { callApi } from '../scripts/uploader.ts';
import { createSignedInUser } from '../test/support/accounts.ts';
import { eventually, publishTestPattern } from '../test/support/publisher.ts';
import { exited, forkModule, nextMessage } from './support/child.ts';
import { hostPlatform } from './support/hosted-platform.ts';
import type { ReactorsJob, ReactorsReport } from './support/reactors-worker.ts';
import type { BenchRow } from './support/report.ts';
import { distribution, round } from './support/stats.ts';
import { timedMetadata } from './support/ts-timed-metadata.ts';

const VIEWERS = Number(process.env.SKYCAST_BENCH_REACTORS ?? 1000);
const SECONDS = 30;
/** After the viewers stop: time for the last batches to reach the stream and its segments. */
const DRAIN_SECONDS = 8;
const SIGN_UPS_IN_FLIGHT = 16;

interface SeenEnvelope {
  /** Where in the stream (wall clock) IVS put it: when it took the call. */
  streamAt: number;
  /** When this process first saw the segment holding it in the live playlist. */
  servedAt: number;
  first: number;
  last: number;
  counts: Partial<Record<string, number>>;
}

async function signUpViewers(
  cognito: CognitoIdentityProviderClient,
  pool: { userPoolId: string; clientId: string },
  count: number,
): Promise<string[]> {
  const tokens: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const user = await createSignedInUser(cognito, pool, `reactor-${index}-${Date.now()}@example.com`);
      tokens.push(user.accessToken);
    }
  };
  await Promise.all(Array.from({ length: SIGN_UPS_IN_FLIGHT }, worker));
  return tokens;
}

/** Watches one rendition's live playlist, reading the in-band reactions of each new segment. */
function watchSegments(playlistUrl: string) {
  const seen = new Set<string>();
  const envelopes: SeenEnvelope[] = [];
  const errors: string[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const polledAt = Date.now();
      try {
        const response = await fetch(playlistUrl);
        const playlist = parseMediaPlaylist(await response.text());
        for (const segment of playlist.segments) {
          if (seen.has(segment.uri)) continue;
          seen.add(segment.uri);
          const servedAt = Date.now();
          const pdt = segment.programDateTime?.getTime();
          const fetched = await fetch(new URL(segment.uri, playlistUrl));
          const bytes = Buffer.from(await fetched.arrayBuffer());
          if (pdt === undefined) {
            errors.push(`segment ${segment.uri} has no PROGRAM-DATE-TIME`);
            continue;
          }
          const { firstPtsSeconds, frames } = timedMetadata(bytes);
          for (const frame of frames) {
            let envelope: LiveMetadata;
            try {
              envelope = JSON.parse(frame.payload) as LiveMetadata;
            } catch {
              errors.push('an in-band payload that is not JSON');
              continue;
            }
            if (envelope.type !== 'reactions') continue;
            envelopes.push({
              streamAt: pdt + (frame.ptsSeconds - (firstPtsSeconds ?? frame.ptsSeconds)) * 1000,
              servedAt,
              first: Date.parse(envelope.first),
              last: Date.parse(envelope.last),
              counts: envelope.counts,
            });
          }
        }
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
      const wait = 100 - (Date.now() - polledAt);
      if (wait > 0) await new Promise((resolveWait) => setTimeout(resolveWait, wait));
    }
  })();
  return {
    envelopes,
    errors,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** The most envelopes within any one second of the stream. */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export async function interactivity(): Promise<BenchRow[]> {
  const platform = await hostPlatform();
  let publisher: ReturnType<typeof publishTestPattern> | undefined;
  try {
    const started = await callApi<{
      stream: { streamId: string };
      ingest: { url: string; streamKey: string };
    }>(platform.client, 'POST', '/streams', { title: 'Reactions benchmark', visibility: 'public' });
    const streamId = started.stream.streamId;
    publisher = publishTestPattern(`${started.ingest.url}${started.ingest.streamKey}`, {
      seconds: SECONDS + DRAIN_SECONDS + 90,
    });
    const cognito = new CognitoIdentityProviderClient(
      emulatorClientConfig({ endpoint: platform.ready.motoEndpoint, region: platform.ready.config.region }),
    );
    const signUpStarted = performance.now();
    const tokens = await signUpViewers(
      cognito,
      { userPoolId: platform.ready.config.userPoolId, clientId: platform.ready.config.userPoolClientId },
      VIEWERS,
    );
    const signUpSeconds = (performance.now() - signUpStarted) / 1000;
    cognito.destroy();
    const live = await eventually(
      'the stream to be LIVE',
      async () => {
        const view = await callApi<{ status: string; playbackUrl: string }>(
          platform.client,
          'GET',
          `/streams/${streamId}`,
        );
        return view.status === 'LIVE' ? view : undefined;
      },
      60_000,
    );
    const watcher = watchSegments(live.playbackUrl.replace(/master\.m3u8.*$/, '360p30/playlist.m3u8'));

    const worker = forkModule(new URL('./support/reactors-worker.ts', import.meta.url).pathname, {
      stdout: 'inherit',
    });
    const cpuBefore = platform.cpuSeconds();
    const job: ReactorsJob = {
      type: 'start',
      apiUrl: platform.ready.config.apiUrl,
      streamId,
      accessTokens: tokens,
      seconds: SECONDS,
    };
    worker.send(job);
    const report = await Promise.race([
      nextMessage<ReactorsReport>(worker, 'done', (SECONDS + 120) * 1000),
      platform.down,
    ]);
    const cpuAfter = platform.cpuSeconds();
    await exited(worker);

    // The last batches reach the stream within a few segments; wait until the in-band total stops growing.
    const accepted = report.accepted.length;
    const delivered = () =>
      watcher.envelopes.reduce(
        (sum, envelope) => sum + Object.values(envelope.counts).reduce<number>((a, b) => a + (b ?? 0), 0),
        0,
      );
    const drainUntil = Date.now() + DRAIN_SECONDS * 1000;
    while (Date.now() < drainUntil && delivered() < accepted)
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    await new Promise((resolveWait) => setTimeout(resolveWait, 1500));
    await watcher.stop();

    const view = await callApi<{ reactions?: Record<string, number> }>(
      platform.client,
      'GET',
      `/streams/${streamId}`,
    );
    const counted = REACTIONS.reduce((sum, reaction) => sum + (view.reactions?.[reaction] ?? 0), 0);
    const acceptedByReaction = Object.fromEntries(
      REACTIONS.map((reaction) => [reaction, report.accepted.filter((a) => a.reaction === reaction).length]),
    );

    // Each accepted reaction: the first served segment whose envelope's window holds its acceptance.
    const byLast = [...watcher.envelopes].sort((a, b) => a.servedAt - b.servedAt);
    const toServed: number[] = [];
    let unmatched = 0;
    for (const reaction of report.accepted) {
      const envelope = byLast.find((e) => e.first <= reaction.at && reaction.at <= e.last);
      if (envelope) toServed.push(envelope.servedAt - reaction.at);
      else unmatched++;
    }
    const latency = distribution(report.latencyMs);
    const delay = distribution(toServed);
    const refusals = Object.values(report.refused).reduce((a, b) => a + b, 0);
    const offered = report.attempted / SECONDS;
    return [
      {
        metric: `reactions accepted (202), ${VIEWERS} viewers × 1/s × ${SECONDS} s`,
        value: accepted,
        unit: 'reactions',
        note: `Offered ${round(offered, 0)}/s, accepted ${round(accepted / SECONDS, 0)}/s; refused ${refusals} (${JSON.stringify(report.refused)}), errors ${report.errors.length}. Signing ${VIEWERS} users up took ${round(signUpSeconds, 1)} s.`,
        detail: { refused: report.refused, errorKinds: [...new Set(report.errors)].slice(0, 10) },
      },
      {
        metric: 'counted − accepted (watchStream totals)',
        value: counted - accepted,
        unit: 'reactions',
        goal: { atMost: 0 },
        note: 'Negative: lost; positive: counted twice. Must be 0 both ways.',
        detail: { counted: view.reactions, accepted: acceptedByReaction },
      },
      {
        metric: 'delivered in-band − accepted',
        value: delivered() - accepted,
        unit: 'reactions',
        goal: { atMost: 0 },
        note: 'The counts of every reactions envelope found in the 360p segments; negative: not (yet) in the stream.',
        detail: { envelopes: watcher.envelopes.length, watcherErrors: watcher.errors.slice(0, 10) },
      },
      {
        metric: 'PutMetadata calls per second on the channel, max',
        value: maxPerSecond(watcher.envelopes.map((e) => e.streamAt)),
        unit: 'calls/s',
        goal: { atMost: 5 },
        note: 'Envelopes within any one second of the stream (each sits where IVS took its call).',
      },
      {
        metric: 'sendReaction p50',
        value: round(latency.p50, 1),
        unit: 'ms',
        detail: { ...latency },
      },
      { metric: 'sendReaction p99', value: round(latency.p99, 1), unit: 'ms' },
      {
        metric: 'accepted → in a served segment, p50',
        value: round(delay.p50 / 1000, 2),
        unit: 's',
        goal: { atMost: 1.5 },
        note: `Served: first seen in the live playlist (polled every 100 ms). ${unmatched} accepted reactions in no envelope seen.`,
        detail: { ...delay, unmatched },
      },
      { metric: 'accepted → in a served segment, p99', value: round(delay.p99 / 1000, 2), unit: 's' },
      {
        metric: 'platform CPU while reacting',
        value: round(((cpuAfter.platform ?? 0) - (cpuBefore.platform ?? 0)) / SECONDS, 2),
        unit: 'cores',
        note: `moto ${round(((cpuAfter.moto ?? 0) - (cpuBefore.moto ?? 0)) / SECONDS, 2)} cores.`,
      },
    ];
  } finally {
    await publisher?.stop();
    await platform.stop();
  }
}
