import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Profile } from '#contract/accounts.ts';

import { DynamoProfileStore } from '../../../lambdas/accounts/profile-store.ts';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(db);
const store = new DynamoProfileStore(db, 'catalog');

const profile: Profile = {
  userId: 'u-1',
  username: 'u-1',
  email: 'u1@example.com',
  preferences: { categories: ['music'], tags: [], language: 'en' },
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.000Z',
};

describe('DynamoProfileStore', () => {
  beforeEach(() => ddb.reset());

  it('reads USER#<sub>/PROFILE and strips the key attributes', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'USER#u-1', sk: 'PROFILE', entity: 'profile', ...profile } });

    const stored = await store.get('u-1');

    assert.deepEqual(stored, profile);
    assert.deepEqual(ddb.commandCalls(GetCommand)[0]?.args[0].input.Key, { pk: 'USER#u-1', sk: 'PROFILE' });
  });

  it('creates with a condition that never overwrites an existing profile', async () => {
    ddb.on(PutCommand).resolves({});

    await store.createIfAbsent(profile);

    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    assert.equal(input?.ConditionExpression, 'attribute_not_exists(pk)');
    assert.equal(input?.Item?.pk, 'USER#u-1');
  });

  it('returns the copy that won when two first requests race', async () => {
    const winner = { ...profile, createdAt: '2026-11-21T09:59:59.000Z' };
    ddb
      .on(PutCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    ddb.on(GetCommand).resolves({ Item: { pk: 'USER#u-1', sk: 'PROFILE', ...winner } });

    const stored = await store.createIfAbsent(profile);

    assert.deepEqual(stored, winner);
  });

  it('rethrows errors other than a lost race', async () => {
    ddb.on(PutCommand).rejects(new Error('throttled'));

    await assert.rejects(store.createIfAbsent(profile), /throttled/);
  });

  it('sets only the patched preference fields and requires the profile to exist', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { pk: 'USER#u-1', sk: 'PROFILE', ...profile } });

    await store.updatePreferences('u-1', { tags: ['jazz'], language: 'fr' }, '2026-11-21T11:00:00.000Z');

    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    assert.equal(
      input?.UpdateExpression,
      'SET #updatedAt = :now, #preferences.#tags = :tags, #preferences.#language = :language',
    );
    assert.equal(input?.ConditionExpression, 'attribute_exists(pk)');
    assert.deepEqual(input?.ExpressionAttributeValues, {
      ':now': '2026-11-21T11:00:00.000Z',
      ':tags': ['jazz'],
      ':language': 'fr',
    });
  });
});
