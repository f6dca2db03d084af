/**
 * The DynamoDB side of keeping clips within their sources: a clip's link under its source's partition,
 * `VIDEO#<source id> / CLIP#<clip id>`, and the conditions and writes that tie a clip to its source. The source
 * finds its clips with a consistent query of its own partition, so a clip cut a moment ago is never missed (a
 * GSI, eventually consistent, could miss it).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Visibility } from '#contract/catalog.ts';
import { SourceChangedError } from './errors.ts';
import { visibilitiesAbove, visibilitiesFrom } from './video.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type TableKey = { pk: string; sk: string };

export const CLIP_LINK_PREFIX = 'CLIP#';

export const clipLinkKey = (sourceId: string, clipId: string): TableKey => ({
  pk: `VIDEO#${sourceId}`,
  sk: `${CLIP_LINK_PREFIX}${clipId}`,
});

/** Placeholders `:<prefix>0, :<prefix>1, …` for an IN list, with their values. */
function inList(prefix: string, values: readonly string[]) {
  const names = values.map((_, i) => `:${prefix}${i}`);
  return { list: names.join(', '), values: Object.fromEntries(names.map((name, i) => [name, values[i]])) };
}

/** The link written with a new clip. */
export const putClipLink = (tableName: string, sourceId: string, clipId: string): TransactItem => ({
  Put: { TableName: tableName, Item: { ...clipLinkKey(sourceId, clipId), entity: 'clipLink', clipId } },
});

/**
 * Counts a new clip on its source, only while the source is READY and at least as open as the clip; the count
 * lets a deletion of the source notice a clip cut meanwhile.
 */
export function countClipOnSource(tableName: string, sourceKey: TableKey, clip: Visibility): TransactItem {
  const open = inList('open', visibilitiesFrom(clip));
  return {
    Update: {
      TableName: tableName,
      Key: sourceKey,
      UpdateExpression: 'ADD clipsCut :one',
      ConditionExpression: `#status = :ready AND #visibility IN (${open.list})`,
      ExpressionAttributeNames: { '#status': 'status', '#visibility': 'visibility' },
      ExpressionAttributeValues: { ':one': 1, ':ready': 'READY', ...open.values },
    },
  };
}

/** A condition that a clip's source is as it was read: that visibility, or (undefined) still gone. */
export function sourceStillAsRead(
  tableName: string,
  sourceKey: TableKey,
  visibility: Visibility | undefined,
): TransactItem {
  if (visibility === undefined) {
    return {
      ConditionCheck: {
        TableName: tableName,
        Key: sourceKey,
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: sourceKey,
      ConditionExpression: 'attribute_exists(pk) AND #visibility = :visibility',
      ExpressionAttributeNames: { '#visibility': 'visibility' },
      ExpressionAttributeValues: { ':visibility': visibility },
    },
  };
}

/**
 * The write that narrows a clip to `ceiling` when it is more open, leaving the public listing in the same write
 * (a narrowed clip is never public, the widest); undefined when nothing is wider than the ceiling.
 */
export function narrowClipUpdate(
  clipKey: TableKey,
  ceiling: Visibility,
  at: string,
): Omit<UpdateCommandInput, 'TableName'> | undefined {
  const wider = visibilitiesAbove(ceiling);
  if (wider.length === 0) return undefined;
  const open = inList('wider', wider);
  return {
    Key: clipKey,
    UpdateExpression: 'SET #visibility = :ceiling, updatedAt = :at REMOVE gsi2pk, gsi2sk',
    ConditionExpression: `attribute_exists(pk) AND #visibility IN (${open.list})`,
    ExpressionAttributeNames: { '#visibility': 'visibility' },
    ExpressionAttributeValues: { ':ceiling': ceiling, ':at': at, ...open.values },
  };
}

/** Whether a transaction was cancelled because the condition of its item at `index` failed. */
export const conditionFailedAt = (error: unknown, index: number): boolean =>
  error instanceof TransactionCanceledException &&
  error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';

/** What a cancelled transaction means when the condition on the clip's source (at `sourceIndex`) failed. */
export function sourceChanged(error: unknown, sourceIndex: number): unknown {
  if (!conditionFailedAt(error, sourceIndex)) return error;
  return new SourceChangedError(
    'The source video changed (its visibility narrowed, or it was deleted) meanwhile; ask again.',
  );
}
