import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { encodeCursor, startKeyFor } from '#shared/cursor.ts';
import type { Page } from '../catalog/video-catalog.ts';
import type { ChannelProfile, LiveEntry, StoredChannel, StreamStore } from './ports.ts';
import { channelIdOf, mergeFacts, type StreamFacts, sessionOf } from './stream-state.ts';

/**
 * Channels and streams in the catalog table, beside the videos (`VIDEO#…`) without touching their keys:
 * - `LIVEOWNER#<owner>` / `CHANNEL`: which channel a creator has (written once, conditionally: one per creator);
 * - `LIVE#<channel id>` / `CHANNEL`: the channel and the creator's profile of it (gsi1 `OWNER#<owner>` / `LIVE#CHANNEL`);
 * - `LIVE#<channel id>` / `STREAM#<IVS stream id>`: the merged facts of one stream, gsi1 `STREAMS#<channel id>` /
 *   `<firstEventAt>#<stream id>` (newest stream of a channel first), and while its facts say LIVE,
 *   gsi2 `LIVE#NOW` / `<startedAt>#<channel id>#<stream id>` (the "live now" listing).
 * A stream item is read, merged with min/max in memory and written back only if its `revision` did not move
 * meanwhile (optimistic concurrency), so concurrent and repeated events converge to the same item, and its
 * stored "live now" entry is always computed from the facts it is written with.
 */

const channelKey = (streamId: string) => ({ pk: `LIVE#${streamId}`, sk: 'CHANNEL' });
const ownerKey = (ownerId: string) => ({ pk: `LIVEOWNER#${ownerId}`, sk: 'CHANNEL' });
const LIVE_NOW = 'LIVE#NOW';
/** Attempts at an optimistic merge before giving up (the event is retried by its rule). */
const MERGE_ATTEMPTS = 8;

const CHANNEL_FIELDS = [
  'streamId',
  'channelArn',
  'ownerId',
  'title',
  'category',
  'tags',
  'visibility',
  'disclaimer',
  'playbackUrl',
  'ingestEndpoint',
  'createdAt',
  'updatedAt',
  'latestRecordingVideoId',
  'latestRecordingEndedAt',
] as const;
const FACT_FIELDS = [
  'channelArn',
  'streamId',
  'firstEventAt',
  'lastEventAt',
  'createdAt',
  'startedAt',
  'endedAt',
  'recordingEndedAt',
  'failedAt',
  'failureReason',
] as const;

function pick<T>(item: Record<string, unknown>, fields: readonly string[]): T {
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) picked[field] = item[field];
  return picked as T;
}

const toChannel = (item: Record<string, unknown>) => pick<StoredChannel>(item, CHANNEL_FIELDS);
const toFacts = (item: Record<string, unknown>) => pick<StreamFacts>(item, FACT_FIELDS);

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed'));

export class DynamoStreamStore implements StreamStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async channelOfOwner(ownerId: string): Promise<StoredChannel | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: ownerKey(ownerId), ConsistentRead: true }),
    );
    return typeof Item?.streamId === 'string' ? this.channel(Item.streamId) : undefined;
  }

  async channel(streamId: string): Promise<StoredChannel | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: channelKey(streamId), ConsistentRead: true }),
    );
    return Item ? toChannel(Item) : undefined;
  }

  async claimChannel(channel: StoredChannel): Promise<StoredChannel> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...ownerKey(channel.ownerId), entity: 'channelOwner', streamId: channel.streamId },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...channelKey(channel.streamId),
                  entity: 'channel',
                  gsi1pk: `OWNER#${channel.ownerId}`,
                  gsi1sk: 'LIVE#CHANNEL',
                  ...channel,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return channel;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const winner = await this.channelOfOwner(channel.ownerId);
      if (!winner) throw error;
      return winner;
    }
  }

  async updateProfile(streamId: string, profile: ChannelProfile, at: string): Promise<StoredChannel> {
    // The optional fields are set when given and removed when not: each startStream states the whole profile.
    const optional = (['category', 'disclaimer'] as const).filter((field) => profile[field]);
    const absent = (['category', 'disclaimer'] as const).filter((field) => !profile[field]);
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: channelKey(streamId),
        UpdateExpression: [
          `SET ${['title = :title, tags = :tags, visibility = :visibility, updatedAt = :at', ...optional.map((field) => `${field} = :${field}`)].join(', ')}`,
          ...(absent.length > 0 ? [`REMOVE ${absent.join(', ')}`] : []),
        ].join(' '),
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':title': profile.title,
          ':tags': profile.tags,
          ':visibility': profile.visibility,
          ':at': at,
          ...Object.fromEntries(optional.map((field) => [`:${field}`, profile[field]])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toChannel(Attributes ?? {});
  }

  async mergeFacts(facts: StreamFacts): Promise<void> {
    const channelId = channelIdOf(facts.channelArn);
    const key = { pk: `LIVE#${channelId}`, sk: `STREAM#${facts.streamId}` };
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt += 1) {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      const known = Item ? toFacts(Item) : undefined;
      const merged = known ? mergeFacts(known, facts) : facts;
      if (
        known &&
        JSON.stringify(toFacts(merged as unknown as Record<string, unknown>)) === JSON.stringify(known)
      )
        return; // A repeat, or older news: nothing changes.
      const revision = typeof Item?.revision === 'number' ? Item.revision : 0;
      const session = sessionOf(merged);
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...key,
              entity: 'stream',
              ...merged,
              revision: revision + 1,
              gsi1pk: `STREAMS#${channelId}`,
              gsi1sk: `${merged.firstEventAt}#${merged.streamId}`,
              ...(session.status === 'LIVE'
                ? { gsi2pk: LIVE_NOW, gsi2sk: `${session.startedAt}#${channelId}#${merged.streamId}` }
                : {}),
            },
            ConditionExpression: Item ? 'revision = :revision' : 'attribute_not_exists(pk)',
            ...(Item ? { ExpressionAttributeValues: { ':revision': revision } } : {}),
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Someone else merged meanwhile: read again and merge on top of theirs.
      }
    }
    throw new Error(`Could not merge the facts of stream ${facts.streamId}: too many concurrent updates`);
  }

  async newestStream(channelArn: string): Promise<StreamFacts | undefined> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `STREAMS#${channelIdOf(channelArn)}` },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = Items?.[0];
    return item ? toFacts(item) : undefined;
  }

  async liveNow(page: { limit: number; cursor?: string }): Promise<Page<LiveEntry>> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': LIVE_NOW },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: startKeyFor(page.cursor, 'gsi2pk', LIVE_NOW),
      }),
    );
    // The channels of a page are read side by side, not one after another.
    const entries = await Promise.all(
      (result.Items ?? []).map(async (item) => {
        const facts = toFacts(item);
        const channel = await this.channel(channelIdOf(facts.channelArn));
        return channel ? { channel, facts } : undefined;
      }),
    );
    const items = entries.filter((entry): entry is LiveEntry => entry !== undefined);
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items, ...(cursor ? { cursor } : {}) };
  }

  async setLatestRecording(streamId: string, videoId: string, endedAt: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: channelKey(streamId),
          UpdateExpression: 'SET latestRecordingVideoId = :video, latestRecordingEndedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(latestRecordingEndedAt) OR latestRecordingEndedAt <= :at)',
          ExpressionAttributeValues: { ':video': videoId, ':at': endedAt },
        }),
      );
    } catch (error) {
      // A later recording is already the latest.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
