/**
 * Accounts through Cognito's JSON API (the requests the AWS SDK sends), without an SDK: sign up, confirm, sign
 * in with USER_PASSWORD_AUTH, stay signed in with REFRESH_TOKEN_AUTH, sign out with GlobalSignOut.
 *
 * The session lives in localStorage, so a reload or a new tab stays signed in; the access token is refreshed
 * shortly before it expires, and the refresh token (30 days by default) is what keeps the session going.
 */
import { config } from './api.ts';

const SESSION_KEY = 'skycast.session';
/** Refresh a little before the access token expires, so a request never leaves with a dying token. */
const REFRESH_MARGIN_MS = 60_000;

interface Session {
  email: string;
  /** The Cognito user id (`sub`), which the API calls ownerId. */
  userId: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class SignedOutError extends Error {
  constructor() {
    super('Your session has ended. Sign in again.');
  }
}

const COGNITO_MESSAGES: Record<string, string> = {
  UsernameExistsException:
    'An account with this e-mail already exists. Sign in, or confirm it if you have not.',
  InvalidPasswordException:
    'That password does not meet the policy: at least 12 characters, with upper- and lower-case letters, a digit and a symbol.',
  CodeMismatchException: 'That code is not right. Check it, or ask for a new one.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
  NotAuthorizedException: 'The e-mail or password is not right.',
  UserNotConfirmedException: 'Confirm your e-mail first: enter the code we sent you.',
  UserNotFoundException: 'The e-mail or password is not right.',
  LimitExceededException: 'Too many attempts. Wait a few minutes and try again.',
  TooManyRequestsException: 'Too many attempts. Wait a moment and try again.',
};

async function cognito<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(config().cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(input),
    });
  } catch {
    throw new CognitoError('NetworkError', 'Could not reach the sign-in service. Check your connection.');
  }
  const body = (await response.json().catch(() => ({}))) as { __type?: string; message?: string };
  if (!response.ok) {
    const type = String(body.__type ?? `HTTP ${response.status}`)
      .split('#')
      .pop() as string;
    throw new CognitoError(type, COGNITO_MESSAGES[type] ?? body.message ?? `${operation} failed (${type}).`);
  }
  return body as T;
}

interface AuthenticationResult {
  AccessToken: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}

/** The claims of a JWT, unverified: the API verifies; the app only reads who it is. */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json) as Record<string, unknown>;
}

const listeners: ((session: Session | undefined) => void)[] = [];

/** Called whenever the user signs in or out (in this tab or another). */
export function onSessionChange(listener: (session: Session | undefined) => void): void {
  listeners.push(listener);
}

window.addEventListener('storage', (event) => {
  if (event.key === SESSION_KEY) for (const listener of listeners) listener(currentSession());
});

export function currentSession(): Session | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return stored ?? undefined;
  } catch {
    return undefined;
  }
}

function saveSession(result: AuthenticationResult, email: string, previous?: Session): Session {
  const session: Session = {
    email,
    userId: String(claimsOf(result.AccessToken).sub ?? ''),
    accessToken: result.AccessToken,
    // REFRESH_TOKEN_AUTH answers without a new refresh token: keep the one we have.
    refreshToken: result.RefreshToken ?? previous?.refreshToken ?? '',
    expiresAt: Date.now() + (result.ExpiresIn ?? 3600) * 1000,
  };
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  if (!previous) for (const listener of listeners) listener(session);
  return session;
}

function forgetSession(): void {
  const had = currentSession();
  localStorage.removeItem(SESSION_KEY);
  if (had) for (const listener of listeners) listener(undefined);
}

let refreshing: Promise<Session | undefined> | undefined;

async function refresh(session: Session): Promise<Session | undefined> {
  // One refresh at a time: several requests may find the token expiring at once.
  refreshing ??= cognito<{ AuthenticationResult: AuthenticationResult }>('InitiateAuth', {
    ClientId: config().userPoolClientId,
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: session.refreshToken },
  })
    .then((answer) => saveSession(answer.AuthenticationResult, session.email, session))
    .catch((error: unknown) => {
      // Only a refused refresh token ends the session; a network error keeps it for the next try.
      if (error instanceof CognitoError && error.type !== 'NetworkError') forgetSession();
      return undefined;
    })
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

/** A live access token, refreshed first if it is about to expire; undefined when signed out. */
export async function accessToken({ forceRefresh = false } = {}): Promise<string | undefined> {
  const session = currentSession();
  if (!session) return undefined;
  if (forceRefresh || Date.now() > session.expiresAt - REFRESH_MARGIN_MS) {
    return (await refresh(session))?.accessToken;
  }
  return session.accessToken;
}

export async function signUp(email: string, password: string): Promise<string | undefined> {
  const answer = await cognito<{ CodeDeliveryDetails?: { Destination?: string } }>('SignUp', {
    ClientId: config().userPoolClientId,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }],
  });
  return answer.CodeDeliveryDetails?.Destination;
}

export async function confirmSignUp(email: string, code: string): Promise<void> {
  await cognito('ConfirmSignUp', {
    ClientId: config().userPoolClientId,
    Username: email,
    ConfirmationCode: code,
  });
}

export async function resendCode(email: string): Promise<string | undefined> {
  const answer = await cognito<{ CodeDeliveryDetails?: { Destination?: string } }>('ResendConfirmationCode', {
    ClientId: config().userPoolClientId,
    Username: email,
  });
  return answer.CodeDeliveryDetails?.Destination;
}

export async function signIn(email: string, password: string): Promise<Session> {
  const answer = await cognito<{ AuthenticationResult?: AuthenticationResult; ChallengeName?: string }>(
    'InitiateAuth',
    {
      ClientId: config().userPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    },
  );
  if (!answer.AuthenticationResult) {
    throw new Error(`Sign-in needs a step this app does not support yet (${answer.ChallengeName}).`);
  }
  return saveSession(answer.AuthenticationResult, email);
}

export async function signOut(): Promise<void> {
  const session = currentSession();
  try {
    if (session) await cognito('GlobalSignOut', { AccessToken: session.accessToken });
  } catch {
    // The token may already be revoked or expired: signing out here is what counts now.
  }
  forgetSession();
}
