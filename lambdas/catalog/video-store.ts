import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Failure, PlayableMedia, Visibility } from '#contract/catalog.ts';
import { encodeCursor, startKeyFor } from '#shared/cursor.ts';
import {
  CLIP_LINK_PREFIX,
  clipLinkKey,
  conditionFailedAt,
  countClipOnSource,
  narrowClipUpdate,
  putClipLink,
  sourceChanged,
  sourceStillAsRead,
  type TransactItem,
} from './clip-links.ts';
import type { Page, SourceAsRead, StoredVideo, VideoCatalog } from './video-catalog.ts';

const key = (videoId: string) => ({ pk: `VIDEO#${videoId}`, sk: 'VIDEO' });
const ownerIndex = (video: Pick<StoredVideo, 'ownerId' | 'createdAt' | 'videoId'>) => ({
  gsi1pk: `OWNER#${video.ownerId}`,
  gsi1sk: `VIDEO#${video.createdAt}#${video.videoId}`,
});
/** One partition lists public videos; fine at the write rates a catalog sees, and simple to page. */
const PUBLIC_PARTITION = 'PUBLIC#VIDEO';
/** Newest first within the public partition. */
const publicSortKey = (video: Pick<StoredVideo, 'createdAt' | 'videoId'>) =>
  `${video.createdAt}#${video.videoId}`;

const INTERNAL = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']);
function toVideo(item: Record<string, unknown>): StoredVideo {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => !INTERNAL.has(name)),
  ) as unknown as StoredVideo;
}

/** Videos as items `VIDEO#<id> / VIDEO` in the catalog table, listed through gsi1 (owner) and gsi2 (public). */
export class DynamoVideoCatalog implements VideoCatalog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(video: StoredVideo): Promise<void> {
    // A video born READY (a clip) is listed publicly at once, as markReady lists the others.
    const listed =
      video.status === 'READY' && video.visibility === 'public'
        ? { gsi2pk: PUBLIC_PARTITION, gsi2sk: publicSortKey(video) }
        : {};
    const put = {
      TableName: this.tableName,
      Item: { ...key(video.videoId), entity: 'video', ...ownerIndex(video), ...listed, ...video },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (video.source.kind !== 'clip') {
      await this.db.send(new PutCommand(put));
      return;
    }
    // A clip is written only while its source is READY and at least as open (clip-links.ts).
    const sourceId = video.source.videoId;
    await this.transact(
      [
        { Put: put },
        putClipLink(this.tableName, sourceId, video.videoId),
        countClipOnSource(this.tableName, key(sourceId), video.visibility),
      ],
      2,
    );
  }

  /** Runs a transaction; the condition of the item at `sourceIndex` failing is a SourceChangedError. */
  private async transact(items: TransactItem[], sourceIndex: number): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      throw sourceChanged(error, sourceIndex);
    }
  }

  async get(videoId: string, options: { consistent?: boolean } = {}): Promise<StoredVideo | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key(videoId),
        ...(options.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return Item ? toVideo(Item) : undefined;
  }

  async listByOwner(ownerId: string, page: { limit: number; cursor?: string }): Promise<Page<StoredVideo>> {
    // The owner partition will hold streams and clips too: the sort key prefix keeps this listing to videos.
    return this.query('gsi1', 'gsi1pk', `OWNER#${ownerId}`, page, { attribute: 'gsi1sk', prefix: 'VIDEO#' });
  }

  async listPublic(page: { limit: number; cursor?: string }): Promise<Page<StoredVideo>> {
    return this.query('gsi2', 'gsi2pk', PUBLIC_PARTITION, page);
  }

  private async query(
    index: string,
    partitionKey: `${string}pk`,
    value: string,
    page: { limit: number; cursor?: string },
    sortPrefix?: { attribute: string; prefix: string },
  ) {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: sortPrefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': partitionKey,
          ...(sortPrefix ? { '#sk': sortPrefix.attribute } : {}),
        },
        ExpressionAttributeValues: { ':pk': value, ...(sortPrefix ? { ':prefix': sortPrefix.prefix } : {}) },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: startKeyFor(page.cursor, partitionKey, value),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []).map(toVideo), ...(cursor ? { cursor } : {}) };
  }

  markUploaded(videoId: string, at: string): Promise<boolean> {
    return this.update({
      Key: key(videoId),
      UpdateExpression: 'SET #status = :uploaded, updatedAt = :at REMOVE uploadId, expiresAt',
      ConditionExpression: '#status = :uploading',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':uploaded': 'UPLOADED', ':uploading': 'UPLOADING', ':at': at },
    });
  }

  recordJob(videoId: string, jobId: string, at: string): Promise<boolean> {
    return this.update({
      Key: key(videoId),
      UpdateExpression:
        'SET jobId = :job, #status = :processing, progress = :zero, updatedAt = :at REMOVE uploadId, expiresAt',
      ConditionExpression: 'attribute_not_exists(jobId) AND #status IN (:uploading, :uploaded)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':job': jobId,
        ':processing': 'PROCESSING',
        ':zero': 0,
        ':uploading': 'UPLOADING',
        ':uploaded': 'UPLOADED',
        ':at': at,
      },
    });
  }

  markProgress(videoId: string, jobId: string, progress: number, at: string): Promise<boolean> {
    return this.update({
      Key: key(videoId),
      UpdateExpression: 'SET progress = :progress, updatedAt = :at',
      ConditionExpression: 'jobId = :job AND #status = :processing AND progress < :progress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':job': jobId,
        ':processing': 'PROCESSING',
        ':progress': progress,
        ':at': at,
      },
    });
  }

  async markReady(
    videoId: string,
    jobId: string | undefined,
    media: PlayableMedia,
    at: string,
  ): Promise<boolean> {
    // Whether it is listed publicly depends on the visibility read here; the write is conditional on it, so an
    // owner's change of visibility in between is seen on the next attempt instead of being overwritten.
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.get(videoId);
      if (!current) return false;
      const names: Record<string, string> = { '#status': 'status', '#visibility': 'visibility' };
      const values: Record<string, unknown> = {
        ':ready': 'READY',
        ':failed': 'FAILED',
        ':at': at,
        ':visibility': current.visibility,
      };
      const sets = ['#status = :ready', 'updatedAt = :at'];
      for (const [field, value] of Object.entries(media)) {
        if (value === undefined) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
      if (current.visibility === 'public') {
        sets.push('gsi2pk = :publicPk', 'gsi2sk = :publicSk');
        values[':publicPk'] = PUBLIC_PARTITION;
        values[':publicSk'] = publicSortKey(current);
      }
      let condition = '#status <> :ready AND #status <> :failed AND #visibility = :visibility';
      if (jobId !== undefined) {
        condition += ' AND jobId = :job';
        values[':job'] = jobId;
      }
      const done = await this.update({
        Key: key(videoId),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE progress, failure, expiresAt`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      if (done) return true;
      const now = await this.get(videoId);
      if (!now || now.visibility === current.visibility) return false;
    }
    return false;
  }

  async updateDetails(
    videoId: string,
    changes: {
      title?: string;
      description?: string;
      visibility?: StoredVideo['visibility'];
      disclaimer?: string | null;
      sponsorCreative?: boolean;
    },
    at: string,
    source?: SourceAsRead,
  ): Promise<StoredVideo | undefined> {
    // Listed publicly exactly while public and READY: the write is conditional on the status read, so a video
    // that becomes READY in between is seen on the next attempt.
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.get(videoId);
      if (!current) return undefined;
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = { ':at': at, ':status': current.status };
      const sets = ['updatedAt = :at'];
      const removes: string[] = [];
      for (const field of ['title', 'description', 'visibility', 'disclaimer', 'sponsorCreative'] as const) {
        const value = changes[field];
        if (value === undefined) continue;
        names[`#${field}`] = field;
        if (value === null) {
          removes.push(`#${field}`);
          continue;
        }
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
      const visibility = changes.visibility ?? current.visibility;
      if (visibility === 'public' && current.status === 'READY') {
        sets.push('gsi2pk = :publicPk', 'gsi2sk = :publicSk');
        values[':publicPk'] = PUBLIC_PARTITION;
        values[':publicSk'] = publicSortKey(current);
      } else {
        removes.push('gsi2pk', 'gsi2sk');
      }
      const update = {
        TableName: this.tableName,
        Key: key(videoId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND #status = :status',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      };
      try {
        if (!source) {
          const { Attributes } = await this.db.send(
            new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }),
          );
          return Attributes ? toVideo(Attributes) : undefined;
        }
        await this.transact(
          [{ Update: update }, sourceStillAsRead(this.tableName, key(source.sourceId), source.visibility)],
          1,
        );
        return await this.get(videoId, { consistent: true });
      } catch (error) {
        const stale = error instanceof ConditionalCheckFailedException || conditionFailedAt(error, 0);
        if (!stale) throw error;
      }
    }
    throw new Error(`The video ${videoId} kept changing while its details were being updated`);
  }

  markFailed(videoId: string, failure: Failure, at: string, jobId?: string): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':failed': 'FAILED',
      ':ready': 'READY',
      ':failure': failure,
      ':at': at,
    };
    let condition: string;
    if (jobId === undefined) {
      condition = 'attribute_not_exists(jobId) AND #status <> :ready AND #status <> :failed';
    } else {
      condition = 'jobId = :job AND #status <> :ready AND #status <> :failed';
      values[':job'] = jobId;
    }
    return this.update({
      Key: key(videoId),
      UpdateExpression:
        'SET #status = :failed, failure = :failure, updatedAt = :at REMOVE progress, expiresAt',
      ConditionExpression: `attribute_exists(pk) AND ${condition}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    });
  }

  async remove(
    videoId: string,
    ifClipsCut?: { clipsCut: number | undefined },
  ): Promise<StoredVideo | undefined> {
    const condition =
      ifClipsCut === undefined
        ? {}
        : ifClipsCut.clipsCut === undefined
          ? { ConditionExpression: 'attribute_not_exists(clipsCut)' }
          : {
              ConditionExpression: 'clipsCut = :clipsCut',
              ExpressionAttributeValues: { ':clipsCut': ifClipsCut.clipsCut },
            };
    let removed: StoredVideo | undefined;
    try {
      const { Attributes } = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key(videoId),
          ReturnValues: 'ALL_OLD',
          ...condition,
        }),
      );
      removed = Attributes ? toVideo(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    if (removed?.source.kind === 'clip') await this.unlinkClip(removed.source.videoId, videoId);
    return removed;
  }

  async clipsOf(sourceId: string, page: { limit: number; cursor?: string }): Promise<Page<string>> {
    // The cursor is the last clip id of the page: the start key is rebuilt from it, inside this partition.
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `VIDEO#${sourceId}`, ':prefix': CLIP_LINK_PREFIX },
        ConsistentRead: true,
        Limit: page.limit,
        ...(page.cursor ? { ExclusiveStartKey: clipLinkKey(sourceId, page.cursor) } : {}),
      }),
    );
    const items = (result.Items ?? []).map((item) => String(item.clipId));
    const last = items.at(-1);
    return { items, ...(result.LastEvaluatedKey && last ? { cursor: last } : {}) };
  }

  narrowClip(clipId: string, ceiling: Visibility, at: string): Promise<boolean> {
    const update = narrowClipUpdate(key(clipId), ceiling, at);
    return update ? this.update(update) : Promise.resolve(false);
  }

  async unlinkClip(sourceId: string, clipId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: clipLinkKey(sourceId, clipId) }));
  }

  /** Runs a conditional update; a failed condition means the change is stale or repeated: false, not an error. */
  private async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
