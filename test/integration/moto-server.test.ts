/**
 * The local DynamoDB (moto, as local/moto.ts starts it) keeps DynamoDB's promise that each request is atomic,
 * also when many arrive at once: Skycast's races (one channel per creator, one job per upload) rely on it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { emulatorClientConfig } from '../../local/emulator-clients.ts';
import { startTestEmulator, type TestEmulator } from '../support/emulator.ts';

let emulator: TestEmulator;
let db: DynamoDBDocumentClient;
let table: string;
before(async () => {
  emulator = await startTestEmulator();
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient(
      emulatorClientConfig({ endpoint: emulator.endpoint, region: emulator.resources.region }),
    ),
  );
  table = emulator.resources.tableName;
});
after(async () => {
  db?.destroy();
  await emulator?.stop();
});

const isConditionFailure = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'TransactionCanceledException' || error.name === 'ConditionalCheckFailedException');

describe('the local DynamoDB under concurrent writes', () => {
  it('loses no write when transactions that fail their condition run beside plain writes', async () => {
    const round = 'lost-writes';
    await db.send(new PutCommand({ TableName: table, Item: { pk: `${round}#taken`, sk: 'x' } }));
    // A table of some size: an emulator that copies the table to undo a failed transaction then takes long
    // enough for other requests to come in between, as they do on a busy machine.
    for (let batch = 0; batch < 20; batch += 1)
      await db.send(
        new BatchWriteCommand({
          RequestItems: {
            [table]: Array.from({ length: 25 }, (_, index) => ({
              PutRequest: { Item: { pk: `filler#${batch}#${index}`, sk: 'x', text: 'x'.repeat(200) } },
            })),
          },
        }),
      );

    const missing: string[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const writers = Array.from({ length: 40 }, (_, index) =>
        db.send(new PutCommand({ TableName: table, Item: { pk: `${round}#${attempt}#${index}`, sk: 'x' } })),
      );
      const failing = Array.from({ length: 40 }, () =>
        db
          .send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: table,
                    Item: { pk: `${round}#taken`, sk: 'x' },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          )
          .then(
            () => 'written',
            (error: unknown) => (isConditionFailure(error) ? 'refused' : Promise.reject(error)),
          ),
      );
      await Promise.all(writers);
      const outcomes = await Promise.all(failing);

      assert.deepEqual(new Set(outcomes), new Set(['refused']));
      for (let index = 0; index < writers.length; index += 1) {
        const { Item } = await db.send(
          new GetCommand({ TableName: table, Key: { pk: `${round}#${attempt}#${index}`, sk: 'x' } }),
        );
        if (!Item) missing.push(`${attempt}#${index}`);
      }
    }
    assert.deepEqual(missing, [], 'every successful write is still there');
  });

  it('lets exactly one of many conditional claims of the same item win', async () => {
    for (let round = 0; round < 10; round += 1) {
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          db
            .send(
              new PutCommand({
                TableName: table,
                Item: { pk: `claim#${round}`, sk: 'x', winner: index },
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            )
            .then(
              () => index,
              (error: unknown) => (isConditionFailure(error) ? undefined : Promise.reject(error)),
            ),
        ),
      );
      const winners = claims.filter((claim) => claim !== undefined);
      const { Item } = await db.send(
        new GetCommand({ TableName: table, Key: { pk: `claim#${round}`, sk: 'x' } }),
      );
      assert.deepEqual(winners, [Item?.winner], `round ${round}: one winner, and it is the stored one`);
    }
  });
});
