import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwtBaseError, JwtExpiredError, JwtParseError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { UnauthorizedError } from './errors.ts';

/** Who is calling, as proven by a verified Cognito access token. */
export interface AuthenticatedUser {
  /** The user's stable id (Cognito `sub`). */
  sub: string;
  username: string;
  clientId: string;
  scopes: string[];
  groups: string[];
}

export interface AccessTokenVerifier {
  /** Resolves to the caller or rejects with UnauthorizedError; never logs or returns the token. */
  verify(token: string): Promise<AuthenticatedUser>;
}

export interface CognitoVerifierSettings {
  userPoolId: string;
  clientId: string;
  /** Scope every access token must carry. @default 'aws.cognito.signin.user.admin' */
  requiredScope?: string;
  /**
   * Where the Cognito API answers, as the AWS SDK would be told with `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`
   * or `AWS_ENDPOINT_URL`. The user pool's JWKS is served by that endpoint at `/<poolId>/.well-known/jwks.json`.
   * @default the public regional Cognito endpoint
   */
  cognitoEndpoint?: string;
}

/** The Cognito endpoint override configured the standard AWS SDK way, if any. */
export function cognitoEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * Fetches a user pool's JWKS. The token's issuer stays the regional Cognito URL; only where its keys are
 * fetched from follows the endpoint override (aws-jwt-verify's own fetcher would insist on https).
 */
export class CognitoJwksFetcher implements Fetcher {
  constructor(
    private readonly endpoint: string | undefined,
    private readonly timeoutMs = 3000,
  ) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    const target = this.endpoint ? rewriteToEndpoint(uri, this.endpoint) : uri;
    const response = await fetch(target, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`JWKS request failed with HTTP ${response.status}`);
    return response.arrayBuffer();
  }
}

function rewriteToEndpoint(uri: string, endpoint: string): string {
  const { pathname } = new URL(uri);
  return new URL(pathname, endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}

/** Verifies Cognito access tokens: signature, issuer, expiry, `token_use`, client and scope. */
export function createCognitoAccessTokenVerifier(settings: CognitoVerifierSettings): AccessTokenVerifier {
  const jwksCache = new SimpleJwksCache({ fetcher: new CognitoJwksFetcher(settings.cognitoEndpoint) });
  const verifier = CognitoJwtVerifier.create(
    {
      userPoolId: settings.userPoolId,
      tokenUse: 'access',
      clientId: settings.clientId,
      scope: settings.requiredScope ?? 'aws.cognito.signin.user.admin',
      customJwtCheck: ({ payload }) => {
        // aws-jwt-verify accepts a token without `exp`; Cognito never issues one, so neither do we.
        if (typeof payload.exp !== 'number') throw new JwtParseError('JWT payload has no exp claim');
      },
    },
    { jwksCache },
  );

  return {
    async verify(token) {
      try {
        const payload = await verifier.verify(token);
        return {
          sub: payload.sub,
          username: String(payload.username ?? payload.sub),
          clientId: String(payload.client_id),
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ') : [],
          groups: payload['cognito:groups'] ?? [],
        };
      } catch (error) {
        // A JWKS we cannot reach is our outage, not the caller's fault: let it surface as a 500.
        if (!(error instanceof JwtBaseError) || error instanceof FetchError) throw error;
        const message =
          error instanceof JwtExpiredError
            ? 'The access token has expired.'
            : 'The access token is not valid.';
        throw new UnauthorizedError(message, { cause: error });
      }
    },
  };
}

/** Reads `Authorization: Bearer <token>`; a missing or malformed header is a 401. */
export function bearerToken(headers: Record<string, string | undefined> | undefined): string {
  const value = headers?.authorization ?? headers?.Authorization;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!match?.[1]) throw new UnauthorizedError('Send an access token as "Authorization: Bearer <token>".');
  return match[1];
}
