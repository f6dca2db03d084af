import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '#contract/environment.ts';
import { requireEnv } from './config.ts';
import { documentClient } from './dynamodb.ts';
import {
  type OpenUploadUsage,
  type QuotaDeps,
  type QuotaStore,
  type QuotaWindow,
  quotaLimitsFrom,
  type UploadReservation,
} from './quotas.ts';

const uploadsKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'QUOTA#UPLOADS' });
const windowKey = (userId: string, window: QuotaWindow) => ({
  pk: `USER#${userId}`,
  sk: `QUOTA#${window.quota}#${window.startsAt}`,
});
/** Each reservation is an attribute of the user's uploads item, so taking one and counting it is one write. */
const RESERVATION_PREFIX = 'upload#';
/** A window's counter stays a day past its end (DynamoDB's TTL then deletes it), for whoever looks into it. */
const WINDOW_KEPT_SECONDS = 86_400;

/** The number an attribute held, from a ConditionalCheckFailed's `Item` (raw AttributeValues). */
function storedNumber(error: ConditionalCheckFailedException, attribute: string): number {
  const value = error.Item?.[attribute]?.N;
  return value === undefined ? 0 : Number(value);
}

/**
 * Quota counters as items of the catalog table: `USER#<sub> / QUOTA#UPLOADS` holds the open uploads (a count,
 * their bytes, and one attribute per reservation), `USER#<sub> / QUOTA#<quota>#<hour>` counts an hourly window
 * and expires by TTL.
 */
export class DynamoQuotaStore implements QuotaStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async reserveUpload(
    userId: string,
    reservation: UploadReservation,
    limits: { openUploads: number; bytesInFlight: number },
  ): Promise<{ admitted: true } | { admitted: false; usage: OpenUploadUsage }> {
    const { videoId, ...held } = reservation;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: uploadsKey(userId),
          UpdateExpression:
            'SET #open = if_not_exists(#open, :zero) + :one, #bytes = if_not_exists(#bytes, :zero) + :size, #reservation = :held',
          // `#bytes <= :room` is `#bytes + :size <= limit`, which a condition cannot add up.
          ConditionExpression: 'attribute_not_exists(#open) OR (#open < :maxOpen AND #bytes <= :room)',
          ExpressionAttributeNames: {
            '#open': 'openUploads',
            '#bytes': 'bytesInFlight',
            '#reservation': `${RESERVATION_PREFIX}${videoId}`,
          },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':size': reservation.bytes,
            ':held': held,
            ':maxOpen': limits.openUploads,
            ':room': limits.bytesInFlight - reservation.bytes,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return {
        admitted: false,
        usage: {
          openUploads: storedNumber(error, 'openUploads'),
          bytesInFlight: storedNumber(error, 'bytesInFlight'),
        },
      };
    }
  }

  async releaseUpload(userId: string, videoId: string, bytes: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: uploadsKey(userId),
          UpdateExpression: 'REMOVE #reservation SET #open = #open - :one, #bytes = #bytes - :size',
          // Only a reservation still held is given back, so releasing twice cannot count down twice.
          ConditionExpression: '#reservation.#size = :size',
          ExpressionAttributeNames: {
            '#reservation': `${RESERVATION_PREFIX}${videoId}`,
            '#size': 'bytes',
            '#open': 'openUploads',
            '#bytes': 'bytesInFlight',
          },
          ExpressionAttributeValues: { ':one': 1, ':size': bytes },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async uploadReservations(userId: string): Promise<UploadReservation[]> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: uploadsKey(userId), ConsistentRead: true }),
    );
    return Object.entries(Item ?? {})
      .filter(([name]) => name.startsWith(RESERVATION_PREFIX))
      .map(([name, held]) => ({
        videoId: name.slice(RESERVATION_PREFIX.length),
        ...(held as Omit<UploadReservation, 'videoId'>),
      }));
  }

  async countInWindow(
    userId: string,
    window: QuotaWindow,
    limit: number,
  ): Promise<{ admitted: boolean; count: number }> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: windowKey(userId, window),
          UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':limit': limit,
            ':expires': window.endsAt + WINDOW_KEPT_SECONDS,
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true, count: Number(Attributes?.count ?? 1) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { admitted: false, count: storedNumber(error, 'count') };
    }
  }

  async uncountInWindow(userId: string, window: QuotaWindow): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: windowKey(userId, window),
          UpdateExpression: 'SET #count = #count - :one',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** The quota rules wired to the catalog table and the limits in the function's environment (read at init). */
export function defaultQuotaDeps(env: NodeJS.ProcessEnv = process.env): QuotaDeps {
  const config = requireEnv([ENV.catalogTable], env);
  return {
    quotaStore: new DynamoQuotaStore(documentClient(), config[ENV.catalogTable]),
    quotaLimits: quotaLimitsFrom(env),
  };
}
