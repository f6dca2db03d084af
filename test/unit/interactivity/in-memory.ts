import { REACTIONS, type ReactionTotals } from '../../../lambdas/contract/interactivity.ts';
import type {
  CountReactionInput,
  InBandChannel,
  InBandResult,
  InteractivityStore,
  ReactionCount,
  ReactionMessage,
  ReactionQueue,
  StoredAdBreak,
  StoredAnnouncement,
} from '../../../lambdas/interactivity/ports.ts';
import { reactionWindow } from '../../../lambdas/interactivity/reactions.ts';

/** The catalog's interactivity items in memory, with the same rules as the DynamoDB store. */
export class InMemoryInteractivityStore implements InteractivityStore {
  readonly windows = new Map<string, number>();
  readonly totals = new Map<string, ReactionTotals>();
  readonly announcements = new Map<string, StoredAnnouncement>();
  readonly adBreaks = new Map<string, StoredAdBreak>();

  async claimAdBreak(adBreak: StoredAdBreak): Promise<boolean> {
    const playing = this.adBreaks.get(adBreak.streamId);
    if (playing && playing.endsAt > adBreak.startsAt) return false;
    this.adBreaks.set(adBreak.streamId, { ...adBreak });
    return true;
  }

  async releaseAdBreak(streamId: string, adBreakId: string): Promise<void> {
    if (this.adBreaks.get(streamId)?.adBreakId === adBreakId) this.adBreaks.delete(streamId);
  }

  readonly scheduled = new Map<string, StoredAdBreak>();

  async putScheduledAdBreak(adBreak: StoredAdBreak): Promise<void> {
    this.scheduled.set(`${adBreak.streamId}#${adBreak.adBreakId}`, { ...adBreak });
  }

  async scheduledAdBreak(streamId: string, adBreakId: string): Promise<StoredAdBreak | undefined> {
    const known = this.scheduled.get(`${streamId}#${adBreakId}`);
    return known ? { ...known } : undefined;
  }

  async scheduledAdBreaks(streamId: string): Promise<StoredAdBreak[]> {
    return [...this.scheduled.values()]
      .filter((item) => item.streamId === streamId)
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
      .map((item) => ({ ...item }));
  }

  async settleScheduledAdBreak(streamId: string, adBreakId: string, status: 'STARTED' | 'CANCELLED') {
    const item = this.scheduled.get(`${streamId}#${adBreakId}`);
    if (item?.status !== 'SCHEDULED') return false;
    item.status = status;
    return true;
  }

  async adBreak(streamId: string): Promise<StoredAdBreak | undefined> {
    const known = this.adBreaks.get(streamId);
    return known ? { ...known } : undefined;
  }

  async countReaction(input: CountReactionInput): Promise<ReactionCount> {
    const window = reactionWindow(input.at, input.limit.windowSeconds);
    const key = `${input.streamId}#${input.viewerId}#${window.start}`;
    const used = this.windows.get(key) ?? 0;
    if (used >= input.limit.max) return { accepted: false, retryAfterSeconds: window.retryAfterSeconds };
    this.windows.set(key, used + 1);
    const totals = await this.reactionTotals(input.streamId, input.ivsStreamId);
    totals[input.reaction] += 1;
    this.totals.set(`${input.streamId}#${input.ivsStreamId}`, totals);
    return { accepted: true, remaining: input.limit.max - used - 1 };
  }

  async reactionTotals(streamId: string, ivsStreamId: string): Promise<ReactionTotals> {
    const known = this.totals.get(`${streamId}#${ivsStreamId}`);
    return known
      ? { ...known }
      : (Object.fromEntries(REACTIONS.map((reaction) => [reaction, 0])) as ReactionTotals);
  }

  async putAnnouncement(streamId: string, announcement: StoredAnnouncement): Promise<void> {
    const known = this.announcements.get(streamId);
    if (!known || known.postedAt <= announcement.postedAt)
      this.announcements.set(streamId, { ...announcement });
  }

  async announcement(streamId: string): Promise<StoredAnnouncement | undefined> {
    const known = this.announcements.get(streamId);
    return known ? { ...known } : undefined;
  }
}

/** A channel's in-band metadata as IVS takes it: every call recorded, answers scripted per call when asked. */
export class RecordingInBand implements InBandChannel {
  readonly calls: { channelArn: string; payload: string; at: number }[] = [];
  /** Answers for the next calls, in order; then 'delivered'. An Error is thrown. */
  readonly answers: (InBandResult | Error)[] = [];

  constructor(private readonly clock: () => number = () => performance.now()) {}

  async put(channelArn: string, payload: string): Promise<InBandResult> {
    this.calls.push({ channelArn, payload, at: this.clock() });
    const answer = this.answers.shift() ?? 'delivered';
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

export class RecordingQueue implements ReactionQueue {
  readonly sent: ReactionMessage[] = [];
  async send(message: ReactionMessage): Promise<void> {
    this.sent.push(message);
  }
}
