import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javaMajorVersion, localDynamoDbChoice } from '../../../local/dynamodb-local.ts';

describe('localDynamoDbChoice', () => {
  it('is DynamoDB Local where Maven Central has its native SQLite library', () => {
    assert.deepEqual(localDynamoDbChoice({}, 'linux-x64'), { emulator: 'dynamodb-local' });
    assert.deepEqual(localDynamoDbChoice({}, 'darwin-x64'), { emulator: 'dynamodb-local' });
  });

  it('stays on moto elsewhere, and says why', () => {
    const choice = localDynamoDbChoice({}, 'linux-arm64');
    assert.equal(choice.emulator, 'moto');
    assert.match(choice.note ?? '', /linux-arm64.*SKYCAST_LOCAL_DYNAMODB=dynamodb-local/);
  });

  it('does what SKYCAST_LOCAL_DYNAMODB asks, without a note', () => {
    assert.deepEqual(localDynamoDbChoice({ SKYCAST_LOCAL_DYNAMODB: 'moto' }, 'linux-x64'), {
      emulator: 'moto',
    });
    assert.deepEqual(localDynamoDbChoice({ SKYCAST_LOCAL_DYNAMODB: 'dynamodb-local' }, 'darwin-arm64'), {
      emulator: 'dynamodb-local',
    });
  });

  it('refuses a value it does not know, naming the ones it does', () => {
    assert.throws(
      () => localDynamoDbChoice({ SKYCAST_LOCAL_DYNAMODB: 'localstack' }, 'linux-x64'),
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
