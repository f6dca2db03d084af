/**
 * Accounts end to end through the local platform, as the web app uses them: sign up and confirm through the
 * Cognito endpoint (the code comes from the local outbox), sign in, getMe, updatePreferences, sign out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import {
  callApi,
  cognito,
  fetchJson,
  latestCode,
  newEmail,
  newSignedInUser,
  signIn,
  strongPassword,
  type WebConfig,
} from './support/client.ts';

const API_GATEWAY_UNAUTHORIZED = { message: 'Unauthorized' };

describe('accounts on the local platform', () => {
  let platform: RunningPlatform;
  let origin: string;
  let config: WebConfig;

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    origin = platform.url;
    config = (await fetchJson(`${origin}/config.json`)).body;
  });
  after(() => platform?.stop());

  const signUp = (email: string, password: string) =>
    cognito(config, 'SignUp', {
      ClientId: config.userPoolClientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    });
  const confirm = (email: string, code: string) =>
    cognito(config, 'ConfirmSignUp', {
      ClientId: config.userPoolClientId,
      Username: email,
      ConfirmationCode: code,
    });

  describe('sign-up through the Cognito endpoint', () => {
    it('sends a six-digit code to the outbox, refuses a wrong code and confirms with the right one', async () => {
      const email = newEmail('alice');
      const password = strongPassword();

      const signedUp = await signUp(email, password);
      assert.equal(signedUp.status, 200, JSON.stringify(signedUp.body));
      assert.equal(signedUp.body.UserConfirmed, false);
      assert.equal(signedUp.body.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      const code = await latestCode(origin, email);
      assert.match(code, /^\d{6}$/);

      const notYet = await cognito(config, 'InitiateAuth', {
        ClientId: config.userPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
      assert.equal(notYet.status, 400);
      assert.equal(notYet.body.__type, 'UserNotConfirmedException');

      const wrongCode = code === '000000' ? '111111' : '000000';
      const refused = await confirm(email, wrongCode);
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, {
        __type: 'CodeMismatchException',
        message: 'Invalid verification code provided, please try again.',
      });

      const confirmed = await confirm(email, code);
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));

      const tokens = await signIn(config, email, password);
      assert.match(tokens.AccessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.match(tokens.IdToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.ok(tokens.RefreshToken);
    });

    it('lists the newest message first in the outbox, and only the newest code confirms', async () => {
      const email = newEmail('bob');
      assert.equal((await signUp(email, strongPassword())).status, 200);
      const first = await latestCode(origin, email);

      const resent = await cognito(config, 'ResendConfirmationCode', {
        ClientId: config.userPoolClientId,
        Username: email,
      });
      assert.equal(resent.status, 200, JSON.stringify(resent.body));
      assert.equal(resent.body.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      const { body } = await fetchJson(`${origin}/local/outbox`);
      const mine = body.messages.filter((message: { to: string }) => message.to === email);
      assert.deepEqual(
        mine.map((message: { trigger: string }) => message.trigger),
        ['ResendConfirmationCode', 'SignUp'],
      );
      const second = mine[0].code;

      if (first !== second) assert.equal((await confirm(email, first)).body.__type, 'CodeMismatchException');
      assert.equal((await confirm(email, second)).status, 200);
    });

    it('does not confirm a user it sent no code to', async () => {
      const refused = await confirm(newEmail('nobody'), '123456');

      assert.equal(refused.status, 400);
      assert.equal(refused.body.__type, 'CodeMismatchException');
    });
  });

  describe('getMe', () => {
    it('answers 200 with the signed-in user and their e-mail', async () => {
      const user = await newSignedInUser(origin, config);

      const { status, body } = await callApi(config, 'GET', '/me', { token: user.tokens.AccessToken });

      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.email, user.email);
      assert.deepEqual(body.preferences, { categories: [], tags: [], language: 'en' });
    });

    it('answers 401 {"message":"Unauthorized"} from the authorizer without a token', async () => {
      const { status, body } = await callApi(config, 'GET', '/me');

      assert.equal(status, 401);
      assert.deepEqual(body, API_GATEWAY_UNAUTHORIZED);
    });

    it('answers 401 {"message":"Unauthorized"} from the authorizer for a garbage token', async () => {
      const { status, body } = await callApi(config, 'GET', '/me', { token: 'not-a-jwt' });

      assert.equal(status, 401);
      assert.deepEqual(body, API_GATEWAY_UNAUTHORIZED);
    });

    it('lets an ID token past the authorizer, and the handler refuses it with 401 and a code', async () => {
      const user = await newSignedInUser(origin, config);

      const { status, body } = await callApi(config, 'GET', '/me', { token: user.tokens.IdToken });

      assert.equal(status, 401);
      assert.equal(body.code, 'UNAUTHORIZED');
      assert.equal(typeof body.message, 'string');
    });
  });

  describe('updatePreferences', () => {
    it('changes the preferences, and getMe shows the change', async () => {
      const user = await newSignedInUser(origin, config);
      const token = user.tokens.AccessToken;

      const updated = await callApi(config, 'PATCH', '/me/preferences', {
        token,
        body: { categories: ['music', 'music', 'travel'], tags: ['Live-Music'], language: 'pt-BR' },
      });
      const me = await callApi(config, 'GET', '/me', { token });

      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const expected = { categories: ['music', 'travel'], tags: ['live-music'], language: 'pt-BR' };
      assert.deepEqual(updated.body.preferences, expected);
      assert.deepEqual(me.body.preferences, expected);
    });

    it('answers 400 with a code and the offending field for invalid preferences', async () => {
      const user = await newSignedInUser(origin, config);

      const { status, body } = await callApi(config, 'PATCH', '/me/preferences', {
        token: user.tokens.AccessToken,
        body: { categories: ['not-a-category'] },
      });

      assert.equal(status, 400);
      assert.equal(body.code, 'VALIDATION_FAILED');
      assert.equal(body.details.issues[0].path, 'body.categories.0');
    });

    it('answers 400 with a code for a body that is not JSON', async () => {
      const user = await newSignedInUser(origin, config);

      const response = await fetchJson(`${config.apiUrl}/me/preferences`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${user.tokens.AccessToken}`, 'content-type': 'application/json' },
        body: '{"language":',
      });

      assert.equal(response.status, 400);
      assert.equal(response.body.code, 'MALFORMED_JSON');
    });

    it('answers 401 after the user signed out with GlobalSignOut', async () => {
      const user = await newSignedInUser(origin, config);
      const token = user.tokens.AccessToken;
      const accepted = await callApi(config, 'PATCH', '/me/preferences', { token, body: { language: 'de' } });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));

      const signedOut = await cognito(config, 'GlobalSignOut', { AccessToken: token });
      const refused = await callApi(config, 'PATCH', '/me/preferences', { token, body: { language: 'fr' } });

      assert.equal(signedOut.status, 200, JSON.stringify(signedOut.body));
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, 'UNAUTHORIZED');
      const refresh = await cognito(config, 'InitiateAuth', {
        ClientId: config.userPoolClientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.tokens.RefreshToken },
      });
      assert.equal(refresh.status, 400);
      assert.equal(refresh.body.__type, 'NotAuthorizedException');
    });
  });

  describe('token refresh', () => {
    it('issues a new access token for the refresh token, which the API accepts', async () => {
      const user = await newSignedInUser(origin, config);

      const refreshed = await cognito(config, 'InitiateAuth', {
        ClientId: config.userPoolClientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.tokens.RefreshToken },
      });
      const token = refreshed.body.AuthenticationResult?.AccessToken;
      const me = await callApi(config, 'GET', '/me', { token });

      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal(me.status, 200);
      assert.equal(me.body.email, user.email);
    });
  });
});
