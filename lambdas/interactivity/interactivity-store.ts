import { randomInt } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { REACTIONS, type ReactionTotals } from '#contract/interactivity.ts';
import type {
  CountReactionInput,
  InteractivityStore,
  ReactionCount,
  StoredAdBreak,
  StoredAnnouncement,
} from './ports.ts';
import { reactionWindow } from './reactions.ts';

/**
 * Reactions and announcements in the catalog table, in the channel's partition (`LIVE#<channel id>`, beside the
 * channel and its streams, see lambdas/live/stream-store.ts):
 * - `RATE#<viewer>#<window start>`: how many reactions the viewer sent in that fixed window (`n`), written with
 *   one conditional ADD, so the limit holds however many requests race; DynamoDB's TTL (`expiresAt`) clears
 *   the old windows;
 * - `REACTIONS#<IVS stream id>#<shard>`: the broadcast's totals, one number per reaction, spread over
 *   REACTION_TOTAL_SHARDS items. One item takes about 1,000 writes per second (a partition's write capacity);
 *   a big audience reacting at once sends more, so each reaction is added to a shard picked at random and the
 *   totals are the sum over the shards (one Query): 16 shards take about 16,000 reactions per second;
 * - `ANNOUNCEMENT`: the latest announcement, with the broadcast it was posted in;
 * - `ADBREAK`: the latest ad break, written only while no other plays (a conditional put on its `endsAt`);
 * - `ADBREAK#SCHEDULED#<id>`: a break scheduled for later, SCHEDULED until it starts or is cancelled.
 */
export const REACTION_TOTAL_SHARDS = 16;

const partition = (streamId: string) => `LIVE#${streamId}`;
const totalsPrefix = (ivsStreamId: string) => `REACTIONS#${ivsStreamId}#`;
const shardKey = (ivsStreamId: string, shard: number) =>
  `${totalsPrefix(ivsStreamId)}${String(shard).padStart(2, '0')}`;
/** A rate window's item outlives its window by this much, then TTL may remove it. */
const RATE_ITEM_LINGER_SECONDS = 3600;

/** Breaks scheduled for later, `ADBREAK#SCHEDULED#<id>`: read by id, listed by the prefix. */
const SCHEDULED_PREFIX = 'ADBREAK#SCHEDULED#';

const ANNOUNCEMENT_FIELDS = ['announcementId', 'kind', 'text', 'postedAt', 'endsAt', 'ivsStreamId'] as const;
const AD_BREAK_FIELDS = [
  'adBreakId',
  'streamId',
  'status',
  'startsAt',
  'durationSeconds',
  'creativeVideoId',
  'createdAt',
  'ivsStreamId',
  'endsAt',
] as const;

export class DynamoInteractivityStore implements InteractivityStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async countReaction(input: CountReactionInput): Promise<ReactionCount> {
    const window = reactionWindow(input.at, input.limit.windowSeconds);
    let used: number;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: partition(input.streamId), sk: `RATE#${input.viewerId}#${window.start}` },
          UpdateExpression: 'ADD n :one SET entity = :entity, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(n) OR n < :max',
          ExpressionAttributeValues: {
            ':one': 1,
            ':max': input.limit.max,
            ':entity': 'reactionRate',
            ':expires': window.start + input.limit.windowSeconds + RATE_ITEM_LINGER_SECONDS,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      used = Number(Attributes?.n ?? input.limit.max);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        return { accepted: false, retryAfterSeconds: window.retryAfterSeconds };
      throw error;
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: {
          pk: partition(input.streamId),
          sk: shardKey(input.ivsStreamId, randomInt(REACTION_TOTAL_SHARDS)),
        },
        UpdateExpression: 'ADD #reaction :one SET entity = :entity',
        ExpressionAttributeNames: { '#reaction': input.reaction },
        ExpressionAttributeValues: { ':one': 1, ':entity': 'reactionTotals' },
      }),
    );
    return { accepted: true, remaining: Math.max(0, input.limit.max - used) };
  }

  async reactionTotals(streamId: string, ivsStreamId: string): Promise<ReactionTotals> {
    const totals = Object.fromEntries(REACTIONS.map((reaction) => [reaction, 0])) as ReactionTotals;
    for (const item of await this.query(streamId, totalsPrefix(ivsStreamId)))
      for (const reaction of REACTIONS)
        if (typeof item[reaction] === 'number') totals[reaction] += item[reaction];
    return totals;
  }

  async putAnnouncement(streamId: string, announcement: StoredAnnouncement): Promise<void> {
    // Two posted at once: the later one stays, whichever write lands last.
    await this.conditionally(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: partition(streamId),
          sk: 'ANNOUNCEMENT',
          entity: 'announcement',
          ...pick(announcement, ANNOUNCEMENT_FIELDS),
        },
        ConditionExpression: 'attribute_not_exists(postedAt) OR postedAt <= :postedAt',
        ExpressionAttributeValues: { ':postedAt': announcement.postedAt },
      }),
    );
  }

  async announcement(streamId: string): Promise<StoredAnnouncement | undefined> {
    const item = await this.get(streamId, 'ANNOUNCEMENT');
    return item ? pick<StoredAnnouncement>(item, ANNOUNCEMENT_FIELDS) : undefined;
  }

  claimAdBreak(adBreak: StoredAdBreak): Promise<boolean> {
    return this.conditionally(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: partition(adBreak.streamId),
          sk: 'ADBREAK',
          entity: 'adBreak',
          ...pick(adBreak, AD_BREAK_FIELDS),
        },
        ConditionExpression: 'attribute_not_exists(endsAt) OR endsAt <= :startsAt',
        ExpressionAttributeValues: { ':startsAt': adBreak.startsAt },
      }),
    );
  }

  async releaseAdBreak(streamId: string, adBreakId: string): Promise<void> {
    await this.conditionally(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: partition(streamId), sk: 'ADBREAK' },
        ConditionExpression: 'adBreakId = :id',
        ExpressionAttributeValues: { ':id': adBreakId },
      }),
    );
  }

  async adBreak(streamId: string): Promise<StoredAdBreak | undefined> {
    const item = await this.get(streamId, 'ADBREAK');
    return item ? pick<StoredAdBreak>(item, AD_BREAK_FIELDS) : undefined;
  }

  async putScheduledAdBreak(adBreak: StoredAdBreak): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: partition(adBreak.streamId),
          sk: `${SCHEDULED_PREFIX}${adBreak.adBreakId}`,
          entity: 'scheduledAdBreak',
          ...pick(adBreak, AD_BREAK_FIELDS),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async scheduledAdBreak(streamId: string, adBreakId: string): Promise<StoredAdBreak | undefined> {
    const item = await this.get(streamId, `${SCHEDULED_PREFIX}${adBreakId}`);
    return item ? pick<StoredAdBreak>(item, AD_BREAK_FIELDS) : undefined;
  }

  async scheduledAdBreaks(streamId: string): Promise<StoredAdBreak[]> {
    return (await this.query(streamId, SCHEDULED_PREFIX))
      .map((item) => pick<StoredAdBreak>(item, AD_BREAK_FIELDS))
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  }

  settleScheduledAdBreak(
    streamId: string,
    adBreakId: string,
    status: 'STARTED' | 'CANCELLED',
  ): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: partition(streamId), sk: `${SCHEDULED_PREFIX}${adBreakId}` },
        UpdateExpression: 'SET #status = :status',
        ConditionExpression: '#status = :scheduled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':scheduled': 'SCHEDULED' },
      }),
    );
  }

  /** One item of the stream's partition, read consistently. */
  private async get(streamId: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partition(streamId), sk },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /** Every item of the stream's partition whose sort key starts with `prefix`, page by page. */
  private async query(streamId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': partition(streamId), ':prefix': prefix },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** A conditional write: false when its condition did not hold. */
  private async conditionally(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      // Each command is one of the three; the client's overloads take them one at a time.
      await this.db.send(command as PutCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The named fields of an item or a value, those present. */
function pick<T = Record<string, unknown>>(value: object, fields: readonly string[]): T {
  const source = value as Record<string, unknown>;
  return Object.fromEntries(
    fields.filter((field) => source[field] !== undefined).map((field) => [field, source[field]]),
  ) as T;
}
