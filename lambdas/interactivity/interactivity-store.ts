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
 * - `ADBREAK#SCHEDULED#<startsAt>#<id>`: a break scheduled for later, SCHEDULED until it starts or is cancelled.
 */
export const REACTION_TOTAL_SHARDS = 16;

const partition = (streamId: string) => `LIVE#${streamId}`;
const totalsPrefix = (ivsStreamId: string) => `REACTIONS#${ivsStreamId}#`;
const shardKey = (ivsStreamId: string, shard: number) =>
  `${totalsPrefix(ivsStreamId)}${String(shard).padStart(2, '0')}`;
/** A rate window's item outlives its window by this much, then TTL may remove it. */
const RATE_ITEM_LINGER_SECONDS = 3600;

/** Breaks scheduled for later: `ADBREAK#SCHEDULED#<startsAt>#<id>`, so a Query lists them in time order. */
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
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': partition(streamId), ':prefix': totalsPrefix(ivsStreamId) },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? [])
        for (const reaction of REACTIONS)
          if (typeof item[reaction] === 'number') totals[reaction] += item[reaction];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return totals;
  }

  async putAnnouncement(streamId: string, announcement: StoredAnnouncement): Promise<void> {
    const item = Object.fromEntries(ANNOUNCEMENT_FIELDS.map((field) => [field, announcement[field]]));
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: partition(streamId), sk: 'ANNOUNCEMENT', entity: 'announcement', ...item },
          // Two posted at once: the later one stays, whichever write lands last.
          ConditionExpression: 'attribute_not_exists(postedAt) OR postedAt <= :postedAt',
          ExpressionAttributeValues: { ':postedAt': announcement.postedAt },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async announcement(streamId: string): Promise<StoredAnnouncement | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partition(streamId), sk: 'ANNOUNCEMENT' },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return Object.fromEntries(ANNOUNCEMENT_FIELDS.map((field) => [field, Item[field]])) as StoredAnnouncement;
  }

  async claimAdBreak(adBreak: StoredAdBreak): Promise<boolean> {
    const item = Object.fromEntries(AD_BREAK_FIELDS.map((field) => [field, adBreak[field]]));
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: partition(adBreak.streamId), sk: 'ADBREAK', entity: 'adBreak', ...item },
          ConditionExpression: 'attribute_not_exists(endsAt) OR endsAt <= :startsAt',
          ExpressionAttributeValues: { ':startsAt': adBreak.startsAt },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseAdBreak(streamId: string, adBreakId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: partition(streamId), sk: 'ADBREAK' },
          ConditionExpression: 'adBreakId = :id',
          ExpressionAttributeValues: { ':id': adBreakId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async adBreak(streamId: string): Promise<StoredAdBreak | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partition(streamId), sk: 'ADBREAK' },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return Object.fromEntries(AD_BREAK_FIELDS.map((field) => [field, Item[field]])) as StoredAdBreak;
  }

  async putScheduledAdBreak(adBreak: StoredAdBreak): Promise<void> {
    const item = Object.fromEntries(AD_BREAK_FIELDS.map((field) => [field, adBreak[field]]));
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: partition(adBreak.streamId),
          sk: `${SCHEDULED_PREFIX}${adBreak.startsAt}#${adBreak.adBreakId}`,
          entity: 'scheduledAdBreak',
          ...item,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async scheduledAdBreaks(streamId: string): Promise<StoredAdBreak[]> {
    const found: StoredAdBreak[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': partition(streamId), ':prefix': SCHEDULED_PREFIX },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? [])
        found.push(Object.fromEntries(AD_BREAK_FIELDS.map((field) => [field, item[field]])) as StoredAdBreak);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async settleScheduledAdBreak(
    streamId: string,
    adBreakId: string,
    status: 'STARTED' | 'CANCELLED',
  ): Promise<boolean> {
    const scheduled = (await this.scheduledAdBreaks(streamId)).find((item) => item.adBreakId === adBreakId);
    if (!scheduled) return false;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: {
            pk: partition(streamId),
            sk: `${SCHEDULED_PREFIX}${scheduled.startsAt}#${adBreakId}`,
          },
          UpdateExpression: 'SET #status = :status',
          ConditionExpression: '#status = :scheduled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':scheduled': 'SCHEDULED' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
