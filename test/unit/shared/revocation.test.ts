import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  CognitoIdentityProviderClient,
  GetUserCommand,
  NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { UnauthorizedError } from '../../../lambdas/shared/errors.ts';
import { CognitoRevocationCheck } from '../../../lambdas/shared/revocation.ts';

const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const mock = mockClient(cognito);
const check = new CognitoRevocationCheck(cognito);

describe('CognitoRevocationCheck', () => {
  beforeEach(() => mock.reset());

  it('accepts a token Cognito still knows, asking with that token', async () => {
    mock.on(GetUserCommand).resolves({ Username: 'u-1', UserAttributes: [] });

    await check.assertActive('live-token');

    assert.equal(mock.commandCalls(GetUserCommand)[0]?.args[0].input.AccessToken, 'live-token');
  });

  it('answers 401 when Cognito says the token was revoked', async () => {
    mock
      .on(GetUserCommand)
      .rejects(new NotAuthorizedException({ message: 'Access Token has been revoked', $metadata: {} }));

    await assert.rejects(check.assertActive('revoked-token'), UnauthorizedError);
  });

  it('lets other failures through as they are (an outage is not the caller’s fault)', async () => {
    mock.on(GetUserCommand).rejects(new Error('socket hang up'));

    await assert.rejects(
      check.assertActive('token'),
      (error: Error) => !(error instanceof UnauthorizedError),
    );
  });
});
