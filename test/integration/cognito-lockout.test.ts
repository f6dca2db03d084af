/**
 * The local Cognito endpoint's lockout after failed attempts, against moto: wrong passwords, wrong sign-up
 * codes and wrong password-reset codes, on Cognito's published schedule. The endpoint's clock is the test's,
 * so a lockout's length is a number the test moves past, never a wait.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createCognitoEndpoint } from '../../local/cognito-endpoint.ts';
import { Outbox } from '../../local/outbox.ts';
import { createSignedInUser, strongPassword } from '../support/accounts.ts';
import { startTestEmulator, type TestEmulator } from '../support/emulator.ts';

interface Answer {
  status: number;
  type: string | undefined;
  message: string | undefined;
  body: Record<string, unknown>;
}

describe('the local Cognito endpoint under attempts that fail', () => {
  let emulator: TestEmulator;
  let outbox: Outbox;
  let now: number;
  let endpoint: ReturnType<typeof createCognitoEndpoint>;

  before(async () => {
    emulator = await startTestEmulator();
  });
  after(() => emulator.stop());
  beforeEach(() => {
    now = 0;
    outbox = new Outbox();
    endpoint = createCognitoEndpoint({
      motoEndpoint: emulator.endpoint,
      userPoolId: emulator.resources.userPoolId,
      clientId: emulator.resources.userPoolClientId,
      outbox,
      cognito: emulator.cognito,
      lockout: { now: () => now },
    });
  });

  async function call(operation: string, input: Record<string, unknown>): Promise<Answer> {
    const response = await endpoint.handle(
      `AWSCognitoIdentityProviderService.${operation}`,
      Buffer.from(JSON.stringify({ ClientId: emulator.resources.userPoolClientId, ...input })),
    );
    const body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    const type = typeof body.__type === 'string' ? body.__type.split('#').pop() : undefined;
    const message = (body.message ?? body.Message) as string | undefined;
    return { status: response.status, type, message, body };
  }

  const signIn = (username: string, password: string) =>
    call('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });

  const pool = () => ({
    userPoolId: emulator.resources.userPoolId,
    clientId: emulator.resources.userPoolClientId,
  });

  describe('InitiateAuth', () => {
    it('answers five wrong passwords as wrong, then "Password attempts exceeded", even to the right one', async () => {
      const user = await createSignedInUser(emulator.cognito, pool());

      const wrong = [];
      for (let i = 0; i < 5; i += 1) wrong.push(await signIn(user.email, 'Wrong-password-1!'));
      const sixth = await signIn(user.email, 'Wrong-password-1!');
      const right = await signIn(user.email, user.password);

      for (const answer of wrong) assert.equal(answer.type, 'NotAuthorizedException');
      assert.ok(wrong.every((answer) => answer.message !== 'Password attempts exceeded'));
      for (const answer of [sixth, right]) {
        assert.equal(answer.status, 400);
        assert.equal(answer.type, 'NotAuthorizedException');
        assert.equal(answer.message, 'Password attempts exceeded');
      }
    });

    it('doubles the lockout with each failure after it, and lets the right password in once it is over', async () => {
      const user = await createSignedInUser(emulator.cognito, pool());
      for (let i = 0; i < 5; i += 1) await signIn(user.email, 'Wrong-password-1!');
      // The fifth failure locks for 1 s; the sixth, once that is over, for 2^(6-5) = 2 s.
      now += 1000;
      assert.notEqual((await signIn(user.email, 'Wrong-password-1!')).message, 'Password attempts exceeded');
      now += 1900;
      assert.equal((await signIn(user.email, user.password)).message, 'Password attempts exceeded');
      now += 100;

      const answer = await signIn(user.email, user.password);

      assert.equal(answer.status, 200);
      assert.ok((answer.body.AuthenticationResult as { AccessToken?: string }).AccessToken);
      // A success starts the count over: the next wrong password is just wrong.
      assert.notEqual((await signIn(user.email, 'Wrong-password-1!')).message, 'Password attempts exceeded');
    });

    it('locks the user whatever the case of the name, and forgets after 15 quiet minutes', async () => {
      const user = await createSignedInUser(emulator.cognito, pool());
      for (let i = 0; i < 5; i += 1) await signIn(user.email, 'Wrong-password-1!');
      assert.equal(
        (await signIn(user.email.toUpperCase(), user.password)).message,
        'Password attempts exceeded',
      );
      now += 15 * 60 * 1000;

      assert.equal((await signIn(user.email, user.password)).status, 200);
    });
  });

  describe('ConfirmSignUp', () => {
    it('answers five wrong codes with CodeMismatchException, then LimitExceededException, even to the right code', async () => {
      const email = `new-${randomUUID().slice(0, 8)}@example.com`;
      await call('SignUp', {
        Username: email,
        Password: strongPassword(),
        UserAttributes: [{ Name: 'email', Value: email }],
      });
      const code = outbox.messages()[0]!.code;
      const wrongCode = code === '000000' ? '000001' : '000000';

      const wrong = [];
      for (let i = 0; i < 5; i += 1)
        wrong.push(await call('ConfirmSignUp', { Username: email, ConfirmationCode: wrongCode }));
      const right = await call('ConfirmSignUp', { Username: email, ConfirmationCode: code });

      for (const answer of wrong) assert.equal(answer.type, 'CodeMismatchException');
      assert.equal(right.status, 400);
      assert.equal(right.type, 'LimitExceededException');
      assert.equal(right.message, 'Attempt limit exceeded, please try after some time.');
      now += 1000;
      assert.equal((await call('ConfirmSignUp', { Username: email, ConfirmationCode: code })).status, 200);
    });
  });

  describe('ForgotPassword and ConfirmForgotPassword', () => {
    it('sends the reset code to the outbox, and sets the new password with that code only', async () => {
      const user = await createSignedInUser(emulator.cognito, pool());
      const sent = await call('ForgotPassword', { Username: user.email });
      assert.equal(sent.status, 200);
      const message = outbox.messages()[0]!;
      assert.equal(message.trigger, 'ForgotPassword');
      assert.equal(message.to, user.email);
      const newPassword = strongPassword();
      const wrongCode = message.code === '000000' ? '000001' : '000000';

      const wrong = await call('ConfirmForgotPassword', {
        Username: user.email,
        ConfirmationCode: wrongCode,
        Password: newPassword,
      });
      const stillOld = await signIn(user.email, user.password);
      const right = await call('ConfirmForgotPassword', {
        Username: user.email,
        ConfirmationCode: message.code,
        Password: newPassword,
      });

      assert.equal(wrong.type, 'CodeMismatchException');
      assert.equal(stillOld.status, 200, 'a wrong code must not change the password');
      assert.equal(right.status, 200);
      assert.equal((await signIn(user.email, newPassword)).status, 200);
    });

    it('answers LimitExceededException after five wrong reset codes', async () => {
      const user = await createSignedInUser(emulator.cognito, pool());
      await call('ForgotPassword', { Username: user.email });
      const code = outbox.messages()[0]!.code;
      const wrongCode = code === '000000' ? '000001' : '000000';
      const attempt = (confirmationCode: string) =>
        call('ConfirmForgotPassword', {
          Username: user.email,
          ConfirmationCode: confirmationCode,
          Password: strongPassword(),
        });

      for (let i = 0; i < 5; i += 1) assert.equal((await attempt(wrongCode)).type, 'CodeMismatchException');
      const locked = await attempt(code);

      assert.equal(locked.type, 'LimitExceededException');
      assert.equal((await signIn(user.email, user.password)).status, 200);
    });
  });
});
