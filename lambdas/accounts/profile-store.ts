import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PreferencesPatch, Profile } from '#contract/accounts.ts';
import type { ProfileStore } from './profile.ts';

const key = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });

function toProfile(item: Record<string, unknown>): Profile {
  const { pk: _pk, sk: _sk, entity: _entity, ...profile } = item;
  return profile as Profile;
}

/** Profiles as items `USER#<sub> / PROFILE` in the catalog table. */
export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<Profile | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key(userId) }));
    return Item ? toProfile(Item) : undefined;
  }

  async createIfAbsent(profile: Profile): Promise<Profile> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(profile.userId), entity: 'profile', ...profile },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return profile;
    } catch (error) {
      // Two first requests raced: the other one created it, and its copy is the one that counts.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = await this.get(profile.userId);
      if (!stored) throw error;
      return stored;
    }
  }

  async updatePreferences(userId: string, patch: PreferencesPatch, now: string): Promise<Profile> {
    const names: Record<string, string> = { '#preferences': 'preferences', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#updatedAt = :now'];
    for (const [field, value] of Object.entries(patch)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#preferences.#${field} = :${field}`);
    }
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(userId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toProfile(Attributes ?? {});
  }
}
