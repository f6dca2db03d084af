import { randomUUID } from 'node:crypto';
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Outbox } from './outbox.ts';
import { FailedAttemptLockout, type LockoutPolicy } from './sign-in-lockout.ts';

/** A response of the Cognito JSON API. */
export interface CognitoResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface CognitoEndpointSettings {
  /** Where the emulator's Cognito API answers. */
  motoEndpoint: string;
  userPoolId: string;
  clientId: string;
  outbox: Outbox;
  /** A client for the emulator, used where the platform answers by itself. */
  cognito: CognitoIdentityProviderClient;
  /**
   * Cognito's lockout after failed sign-ins and wrong codes. @default COGNITO_LOCKOUT on performance.now
   * (tests pass their own clock)
   */
  lockout?: { policy?: LockoutPolicy; now?: () => number };
}

/** The operations answered here rather than by the emulator. */
const OWN_OPERATIONS = [
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'InitiateAuth',
  'ForgotPassword',
  'ConfirmForgotPassword',
];

/** Cognito's answers during a lockout. */
const passwordAttemptsExceeded = () => cognitoError('NotAuthorizedException', 'Password attempts exceeded');
const attemptLimitExceeded = () =>
  cognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
const codeMismatch = () =>
  cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const JSON_1_1 = 'application/x-amz-json-1.1';

function cognitoError(type: string, message: string, status = 400): CognitoResponse {
  return {
    status,
    headers: {
      'content-type': JSON_1_1,
      'x-amzn-errortype': `${type}:`,
      'x-amzn-requestid': randomUUID(),
    },
    body: Buffer.from(JSON.stringify({ __type: type, message })),
  };
}

function cognitoResult(result: unknown): CognitoResponse {
  return {
    status: 200,
    headers: { 'content-type': JSON_1_1, 'x-amzn-requestid': randomUUID() },
    body: Buffer.from(JSON.stringify(result)),
  };
}

/** Cognito shows where a code went without giving the address away: `a***@e***`. */
function maskEmail(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}

function emailDelivery(address: string) {
  return { Destination: maskEmail(address), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
}

/** Headers of the emulator's answer worth passing on to a browser. */
const FORWARDED_HEADERS = ['content-type', 'x-amzn-requestid', 'x-amzn-errortype'];

/** The error type of a Cognito JSON answer (`NotAuthorizedException`), if it is an error. */
function errorType(response: CognitoResponse): string | undefined {
  if (response.status < 400) return undefined;
  try {
    const type = (JSON.parse(response.body.toString('utf8')) as { __type?: unknown }).__type;
    return typeof type === 'string' ? type.split('#').pop() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Cognito user pools JSON API as the web app reaches it locally. Requests go to the emulator unchanged,
 * except where the emulator cannot stand in for Cognito: its e-mail (SignUp, ResendConfirmationCode and
 * ForgotPassword send a verification code to the outbox; ConfirmSignUp and ConfirmForgotPassword succeed only
 * with that code), and its lockout: after five wrong passwords InitiateAuth answers "Password attempts
 * exceeded", after five wrong codes the confirmations answer LimitExceededException, for a while that doubles.
 */
export function createCognitoEndpoint(settings: CognitoEndpointSettings) {
  const confirmed = new Set<string>();
  const passwordLockout = new FailedAttemptLockout(settings.lockout?.policy, settings.lockout?.now);
  const codeLockout = new FailedAttemptLockout(settings.lockout?.policy, settings.lockout?.now);

  async function forward(target: string, body: Buffer): Promise<CognitoResponse> {
    const answer = await fetch(`${settings.motoEndpoint}/`, {
      method: 'POST',
      headers: { 'content-type': JSON_1_1, 'x-amz-target': target },
      body: new Uint8Array(body),
    });
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = answer.headers.get(name);
      if (value) headers[name] = value;
    }
    return { status: answer.status, headers, body: Buffer.from(await answer.arrayBuffer()) };
  }

  function wrongClient(clientId: unknown): CognitoResponse | undefined {
    if (clientId === settings.clientId) return undefined;
    return cognitoError('ResourceNotFoundException', `User pool client ${String(clientId)} does not exist.`);
  }

  async function signUp(target: string, body: Buffer, input: Record<string, unknown>) {
    const response = await forward(target, body);
    if (response.status !== 200) return response;
    const result = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    if (result.UserConfirmed === true) return response;
    const username = String(input.Username);
    const attributes = Array.isArray(input.UserAttributes)
      ? (input.UserAttributes as { Name?: unknown; Value?: unknown }[])
      : [];
    const email = String(attributes.find((attribute) => attribute.Name === 'email')?.Value ?? username);
    settings.outbox.sendVerificationCode(username, email, 'SignUp');
    // The emulator reports a delivery of its own invention; the code went to the outbox, as e-mail.
    return cognitoResult({ ...result, CodeDeliveryDetails: emailDelivery(email) });
  }

  async function confirmSignUp(target: string, body: Buffer, input: Record<string, unknown>) {
    const mismatch = wrongClient(input.ClientId);
    if (mismatch) return mismatch;
    if (typeof input.Username !== 'string' || typeof input.ConfirmationCode !== 'string') {
      return cognitoError('InvalidParameterException', 'Username and ConfirmationCode are required.');
    }
    const username = input.Username;
    if (confirmed.has(username)) {
      return cognitoError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
    }
    const refusal = checkCode(username, input.ConfirmationCode);
    if (refusal) return refusal;
    const response = await forward(target, body);
    if (response.status === 200) {
      settings.outbox.consume(username);
      confirmed.add(username);
    }
    return response;
  }

  /** Checks a code against the outbox, under the lockout; the refusal, or undefined when the code is right. */
  function checkCode(username: string, code: string): CognitoResponse | undefined {
    if (codeLockout.refuses(username)) return attemptLimitExceeded();
    switch (settings.outbox.check(username, code)) {
      case 'expired':
        return cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      case 'match':
        codeLockout.succeed(username);
        return undefined;
      default:
        // With PreventUserExistenceErrors, an unknown user gets the same answer as a wrong code.
        codeLockout.fail(username);
        return codeMismatch();
    }
  }

  /** Password sign-in under Cognito's lockout; other flows (refresh tokens) go straight to the emulator. */
  async function initiateAuth(target: string, body: Buffer, input: Record<string, unknown>) {
    const parameters = (input.AuthParameters ?? {}) as Record<string, unknown>;
    const username = parameters.USERNAME;
    if (typeof username !== 'string' || parameters.PASSWORD === undefined) return forward(target, body);
    if (passwordLockout.refuses(username)) return passwordAttemptsExceeded();
    const response = await forward(target, body);
    const type = errorType(response);
    if (response.status === 200) passwordLockout.succeed(username);
    else if (type === 'NotAuthorizedException' || type === 'UserNotFoundException') {
      passwordLockout.fail(username);
    }
    return response;
  }

  /** The emulator's ForgotPassword hands its code back in a header; Cognito e-mails it: here, to the outbox. */
  async function forgotPassword(input: Record<string, unknown>) {
    const mismatch = wrongClient(input.ClientId);
    if (mismatch) return mismatch;
    if (typeof input.Username !== 'string') {
      return cognitoError('InvalidParameterException', 'Username is required.');
    }
    const username = input.Username;
    try {
      const user = await settings.cognito.send(
        new AdminGetUserCommand({ UserPoolId: settings.userPoolId, Username: username }),
      );
      const email = user.UserAttributes?.find((attribute) => attribute.Name === 'email')?.Value ?? username;
      settings.outbox.sendVerificationCode(username, email, 'ForgotPassword');
      return cognitoResult({ CodeDeliveryDetails: emailDelivery(email) });
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
      return cognitoResult({ CodeDeliveryDetails: emailDelivery(username) });
    }
  }

  /** Sets the new password only with the code the outbox got (the emulator would take any code). */
  async function confirmForgotPassword(target: string, body: Buffer, input: Record<string, unknown>) {
    const mismatch = wrongClient(input.ClientId);
    if (mismatch) return mismatch;
    if (typeof input.Username !== 'string' || typeof input.ConfirmationCode !== 'string') {
      return cognitoError('InvalidParameterException', 'Username and ConfirmationCode are required.');
    }
    const refusal = checkCode(input.Username, input.ConfirmationCode);
    if (refusal) return refusal;
    const response = await forward(target, body);
    if (response.status === 200) settings.outbox.consume(input.Username);
    return response;
  }

  /** The emulator has no ResendConfirmationCode; answered here from the user's state in the emulator. */
  async function resendConfirmationCode(input: Record<string, unknown>) {
    const mismatch = wrongClient(input.ClientId);
    if (mismatch) return mismatch;
    if (typeof input.Username !== 'string') {
      return cognitoError('InvalidParameterException', 'Username is required.');
    }
    const username = input.Username;
    try {
      const user = await settings.cognito.send(
        new AdminGetUserCommand({ UserPoolId: settings.userPoolId, Username: username }),
      );
      if (user.UserStatus !== 'UNCONFIRMED') {
        return cognitoError('InvalidParameterException', 'User is already confirmed.');
      }
      const email = user.UserAttributes?.find((attribute) => attribute.Name === 'email')?.Value ?? username;
      settings.outbox.sendVerificationCode(username, email, 'ResendConfirmationCode');
      return cognitoResult({ CodeDeliveryDetails: emailDelivery(email) });
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
      // With PreventUserExistenceErrors, Cognito pretends to have sent a code to a user who does not exist.
      return cognitoResult({ CodeDeliveryDetails: emailDelivery(username) });
    }
  }

  return {
    /** Answers one Cognito JSON API request (`X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`). */
    async handle(target: string | undefined, body: Buffer): Promise<CognitoResponse> {
      if (!target?.startsWith(TARGET_PREFIX)) {
        return cognitoError(
          'UnknownOperationException',
          'Send X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>.',
        );
      }
      const operation = target.slice(TARGET_PREFIX.length);
      if (!OWN_OPERATIONS.includes(operation)) return forward(target, body);
      let input: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        return cognitoError('SerializationException', 'The request body is not a JSON object.');
      }
      switch (operation) {
        case 'SignUp':
          return signUp(target, body, input);
        case 'ConfirmSignUp':
          return confirmSignUp(target, body, input);
        case 'InitiateAuth':
          return initiateAuth(target, body, input);
        case 'ForgotPassword':
          return forgotPassword(input);
        case 'ConfirmForgotPassword':
          return confirmForgotPassword(target, body, input);
        default:
          return resendConfirmationCode(input);
      }
    },
  };
}
