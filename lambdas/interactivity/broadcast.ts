import { setTimeout as pause } from 'node:timers/promises';
import type { ReactionCounts } from '#contract/interactivity.ts';
import { REACTION_BROADCAST } from '#contract/pipelines.ts';
import { logger } from '#shared/logger.ts';
import { encodeMetadata, reactionsEnvelope } from './metadata.ts';
import type { InBandChannel, ReactionMessage } from './ports.ts';

export interface BroadcastDeps {
  inBand: InBandChannel;
  /** @default timers' setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** @default performance.now */
  clock?: () => number;
}

/** A reaction of the batch, with the id of the record that carried it. */
export interface QueuedReaction {
  recordId: string;
  message: ReactionMessage;
}

/** One channel's share of a batch: the counts added up and the accept times they cover. */
export interface ChannelWindow {
  channelArn: string;
  counts: ReactionCounts;
  first: string;
  last: string;
  recordIds: string[];
}

/** Folds a batch into one window per channel, channels in the order their first reaction came. */
export function windowsOf(reactions: readonly QueuedReaction[]): ChannelWindow[] {
  const byChannel = new Map<string, ChannelWindow>();
  for (const { recordId, message } of reactions) {
    let window = byChannel.get(message.channelArn);
    if (!window) {
      window = {
        channelArn: message.channelArn,
        counts: {},
        first: message.acceptedAt,
        last: message.acceptedAt,
        recordIds: [],
      };
      byChannel.set(message.channelArn, window);
    }
    window.counts[message.reaction] = (window.counts[message.reaction] ?? 0) + 1;
    if (message.acceptedAt < window.first) window.first = message.acceptedAt;
    if (message.acceptedAt > window.last) window.last = message.acceptedAt;
    window.recordIds.push(recordId);
  }
  return [...byChannel.values()];
}

/** A throttled call is tried again this often, this far apart, before its window is given up. */
const THROTTLE_ATTEMPTS = 3;
// No sooner than the pacing allows a second call to the same channel.
const THROTTLE_PAUSE_MS = REACTION_BROADCAST.callSpacingSeconds * 1000;

/**
 * Puts each channel's window in-band with one PutMetadata call, keeping to the pace REACTION_BROADCAST derives
 * from IVS's limits (lambdas/contract/pipelines.ts): calls of one invocation at least 1/77 s apart, and the
 * invocation returns no sooner than 0.6 s after its last call. Reactions are counted in the catalog before they
 * get here, so a window IVS keeps refusing (throttled, or the stream ended) is dropped with a log line rather
 * than retried into a later, misleading moment of the video; the records of a window whose call failed
 * otherwise (IVS unreachable) are returned, to come back from the queue.
 */
export async function broadcastReactions(
  deps: BroadcastDeps,
  reactions: readonly QueuedReaction[],
): Promise<string[]> {
  const sleep = deps.sleep ?? ((ms: number) => pause(ms));
  const clock = deps.clock ?? (() => performance.now());
  const spacingMs = 1000 / REACTION_BROADCAST.accountCallsPerSecondPerSlot;
  const failed: string[] = [];
  let lastCallAt: number | undefined;
  const call = async (channelArn: string, payload: string) => {
    if (lastCallAt !== undefined) {
      const wait = lastCallAt + spacingMs - clock();
      if (wait > 0) await sleep(wait);
    }
    lastCallAt = clock();
    return deps.inBand.put(channelArn, payload);
  };

  for (const window of windowsOf(reactions)) {
    const payload = encodeMetadata(reactionsEnvelope(window.counts, window.first, window.last));
    try {
      let result = await call(window.channelArn, payload);
      for (let attempt = 1; result === 'throttled' && attempt < THROTTLE_ATTEMPTS; attempt += 1) {
        await sleep(THROTTLE_PAUSE_MS);
        result = await call(window.channelArn, payload);
      }
      if (result !== 'delivered')
        logger.warn('reactions window not carried in-band', {
          channelArn: window.channelArn,
          result,
          reactions: window.recordIds.length,
        });
    } catch (error) {
      logger.error('reactions window failed; its records come back from the queue', {
        channelArn: window.channelArn,
        error,
      });
      failed.push(...window.recordIds);
    }
  }
  if (lastCallAt !== undefined) {
    const rest = lastCallAt + REACTION_BROADCAST.callSpacingSeconds * 1000 - clock();
    if (rest > 0) await sleep(rest);
  }
  return failed;
}
