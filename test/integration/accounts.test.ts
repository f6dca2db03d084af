import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConfirmSignUpCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '../../lambdas/accounts/profile-store.ts';
import { documentClient } from '../../lambdas/shared/dynamodb.ts';
import { createSignedInUser, strongPassword } from '../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../support/emulator.ts';
import { type Handler, invoke } from '../support/lambda.ts';

describe('accounts, end to end against the emulator', () => {
  let emulator: TestEmulator;
  let getMe: Handler;
  let updatePreferences: Handler;

  before(async () => {
    emulator = await startTestEmulator();
    // Like Lambda: the environment is in place before the handler modules load and initialise.
    getMe = (await import('../../lambdas/accounts/get-me.ts')).handler;
    updatePreferences = (await import('../../lambdas/accounts/update-preferences.ts')).handler;
  });
  after(() => emulator.stop());

  it('signs up, confirms, signs in, uses the API and signs out', async () => {
    const { cognito, resources } = emulator;
    const email = 'ada@example.com';
    const password = strongPassword();

    const signUp = await cognito.send(
      new SignUpCommand({
        ClientId: resources.userPoolClientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    assert.equal(signUp.UserConfirmed, false);
    await assert.rejects(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: resources.userPoolClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      ),
      { name: 'UserNotConfirmedException' },
    );
    await cognito.send(
      new ConfirmSignUpCommand({
        ClientId: resources.userPoolClientId,
        Username: email,
        ConfirmationCode: '123456',
      }),
    );
    const auth = await cognito.send(
      new InitiateAuthCommand({
        ClientId: resources.userPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const token = auth.AuthenticationResult?.AccessToken as string;

    const me = await invoke(getMe, { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.userId, signUp.UserSub);
    assert.equal(me.body.email, email);

    const changed = await invoke(updatePreferences, {
      method: 'PATCH',
      path: '/me/preferences',
      token,
      body: { categories: ['music', 'science'], tags: ['Synthwave'], language: 'fr' },
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.preferences, {
      categories: ['music', 'science'],
      tags: ['synthwave'],
      language: 'fr',
    });

    const stored = await documentClient().send(
      new GetCommand({
        TableName: resources.tableName,
        Key: { pk: `USER#${signUp.UserSub}`, sk: 'PROFILE' },
      }),
    );
    assert.equal(stored.Item?.preferences.language, 'fr');
    assert.equal((await invoke(getMe, { token })).body.preferences.language, 'fr');

    await cognito.send(new GlobalSignOutCommand({ AccessToken: token }));
    const afterSignOut = await invoke(updatePreferences, {
      method: 'PATCH',
      path: '/me/preferences',
      token,
      body: { language: 'de' },
    });
    assert.equal(afterSignOut.status, 401);
    assert.equal(afterSignOut.body.code, 'UNAUTHORIZED');
  });

  it('rejects a password weaker than the pool policy', async () => {
    await assert.rejects(
      emulator.cognito.send(
        new SignUpCommand({
          ClientId: emulator.resources.userPoolClientId,
          Username: 'weak@example.com',
          Password: 'password',
          UserAttributes: [{ Name: 'email', Value: 'weak@example.com' }],
        }),
      ),
      { name: 'InvalidPasswordException' },
    );
  });

  it('keeps one profile when first requests race', async () => {
    const store = new DynamoProfileStore(documentClient(), emulator.resources.tableName);
    const base = {
      userId: 'race-1',
      username: 'race-1',
      preferences: { categories: [], tags: [], language: 'en' },
      updatedAt: '2026-11-21T10:00:00.000Z',
    };

    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((suffix) =>
        store.createIfAbsent({ ...base, createdAt: `2026-11-21T10:00:00.00${suffix.charCodeAt(0) - 97}Z` }),
      ),
    );

    const stored = await store.get('race-1');
    for (const result of results) assert.deepEqual(result, stored);
  });

  it('answers 400 with the invalid fields and leaves the profile as it was', async () => {
    const user = await createSignedInUser(emulator.cognito, {
      userPoolId: emulator.resources.userPoolId,
      clientId: emulator.resources.userPoolClientId,
    });
    const before = await invoke(getMe, { token: user.accessToken });

    const response = await invoke(updatePreferences, {
      method: 'PATCH',
      path: '/me/preferences',
      token: user.accessToken,
      body: { categories: ['knitting'], language: 'fr' },
    });

    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'VALIDATION_FAILED');
    assert.equal(response.body.details.issues[0].path, 'body.categories.0');
    assert.deepEqual((await invoke(getMe, { token: user.accessToken })).body, before.body);
  });
});
