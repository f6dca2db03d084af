import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javaMajorVersion, localDynamoDbChoice } from '../../../local/dynamodb-local.ts';

describe('localDynamoDbChoice', () => {
  it('is moto unless asked otherwise (DynamoDB Local is not open source), on every platform', () => {
    assert.deepEqual(localDynamoDbChoice({}), { emulator: 'moto' });
    assert.deepEqual(localDynamoDbChoice({ SKYCAST_LOCAL_DYNAMODB: '' }), { emulator: 'moto' });
  });

  it('says nothing when it is moto by default', () => {
    const choice = localDynamoDbChoice({});
    assert.equal(choice.emulator, 'moto');
    assert.equal(choice.note, undefined);
  });

  it('does what SKYCAST_LOCAL_DYNAMODB asks, without a note', () => {
    assert.deepEqual(localDynamoDbChoice({ SKYCAST_LOCAL_DYNAMODB: 'moto' }), {
      emulator: 'moto',
    });
    assert.deepEqual(localDynamoDbChoice({ SKYCAST_LOCAL_DYNAMODB: 'dynamodb-local' }), {
      emulator: 'dynamodb-local',
    });
  });

  it('refuses a value it does not know, naming the ones it does', () => {
    assert.throws(
      () => localDynamoDbChoice({ SKYCAST_LOCAL_DYNAMODB: 'localstack' }),
      /SKYCAST_LOCAL_DYNAMODB must be "dynamodb-local" or "moto", not "localstack"/,
    );
  });
});

describe('javaMajorVersion', () => {
  it('reads `java -version` output, old and new numbering', () => {
    assert.equal(javaMajorVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime …'), 17);
    assert.equal(javaMajorVersion('openjdk version "21" 2023-09-19'), 21);
    assert.equal(javaMajorVersion('java version "1.8.0_392"'), 8);
    assert.equal(javaMajorVersion('something else'), undefined);
  });
});
