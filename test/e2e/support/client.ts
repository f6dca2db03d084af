/**
 * A client of the local platform that knows only what a browser would: the origin, `/config.json`, the
 * Cognito JSON API at `cognitoEndpoint`, the API at `apiUrl` and, locally, the outbox.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { WebConfig } from '../../../local/platform.ts';

export type { WebConfig };

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read whatever the server sent.
  body: any;
}

/** fetch, with the body parsed as JSON when it is JSON. */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  if (/json/.test(response.headers.get('content-type') ?? '') && text) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

/** A GET with the request target sent exactly as given (fetch would normalise `..` away). */
export function rawGet(origin: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolveResponse, reject) => {
    const req = request({ host: hostname, port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One call of the Cognito JSON API, as the web app makes it. */
export function cognito(config: WebConfig, operation: string, input: unknown): Promise<JsonResponse> {
  return fetchJson(config.cognitoEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(input),
  });
}

/** Calls an API operation with an optional bearer token and JSON body. */
export function callApi(
  config: WebConfig,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; authorization?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetchJson(`${config.apiUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

export interface OutboxMessage {
  to: string;
  username: string;
  code: string;
  trigger: string;
  sentAt: string;
}

/** The newest verification code the platform "e-mailed" to `email`. */
export async function latestCode(origin: string, email: string): Promise<string> {
  const { status, body } = await fetchJson(`${origin}/local/outbox`);
  assert.equal(status, 200);
  const message = (body.messages as OutboxMessage[]).find((candidate) => candidate.to === email);
  assert.ok(message, `no message to ${email} in the outbox`);
  return message.code;
}

/** A password the user pool's policy accepts. */
export const strongPassword = () => `Sky-${randomUUID().slice(0, 8)}-Cast9!`;

export const newEmail = (what = 'viewer') => `${what}-${randomUUID().slice(0, 8)}@example.com`;

export interface Tokens {
  AccessToken: string;
  IdToken: string;
  RefreshToken: string;
}

export interface SignedInUser {
  email: string;
  password: string;
  tokens: Tokens;
}

/** Signs in with USER_PASSWORD_AUTH, as the web app does. */
export async function signIn(config: WebConfig, email: string, password: string): Promise<Tokens> {
  const { status, body } = await cognito(config, 'InitiateAuth', {
    ClientId: config.userPoolClientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  assert.equal(status, 200, JSON.stringify(body));
  return body.AuthenticationResult as Tokens;
}

/** A user who signed up, confirmed with the code from the outbox and signed in, all over HTTP. */
export async function newSignedInUser(origin: string, config: WebConfig): Promise<SignedInUser> {
  const email = newEmail();
  const password = strongPassword();
  const signUp = await cognito(config, 'SignUp', {
    ClientId: config.userPoolClientId,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }],
  });
  assert.equal(signUp.status, 200, JSON.stringify(signUp.body));
  const confirm = await cognito(config, 'ConfirmSignUp', {
    ClientId: config.userPoolClientId,
    Username: email,
    ConfirmationCode: await latestCode(origin, email),
  });
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  return { email, password, tokens: await signIn(config, email, password) };
}
