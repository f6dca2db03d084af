import { JwtVerifier } from 'aws-jwt-verify';
import {
  JwtInvalidAudienceError,
  JwtInvalidSignatureAlgorithmError,
  JwtNotBeforeError,
  JwtParseError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

/** What a route's handler sees of an accepted token, as API Gateway puts it in `requestContext.authorizer`. */
export interface JwtAuthorization {
  jwt: {
    /** Every claim as a string: numbers as digits, arrays as `[a b]`, as API Gateway flattens them. */
    claims: Record<string, string>;
    /** API Gateway fills this only for routes with authorization scopes; ours have none. */
    scopes: string[] | null;
  };
}

/**
 * API Gateway fetches the issuer's keys from the issuer itself; locally the issuer's URL is Cognito's, whose keys
 * the emulator serves at the same path. (aws-jwt-verify's own fetcher would insist on https.)
 */
class EmulatorJwksFetcher {
  constructor(private readonly endpoint: string) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(new URL(new URL(uri).pathname, `${this.endpoint.replace(/\/+$/, '')}/`), {
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) throw new Error(`JWKS request failed with HTTP ${response.status}`);
    return response.arrayBuffer();
  }
}

export interface JwtAuthorizerSettings {
  /** e.g. `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` */
  issuer: string;
  /** Client ids a token's `aud` (or, without `aud`, its `client_id`) must name. */
  audience: readonly string[];
  /** Where the issuer's `/.well-known/jwks.json` is really fetched from (the emulator). */
  jwksEndpoint: string;
}

export interface JwtAuthorizer {
  /** Resolves to the authorization for a valid token, or undefined when API Gateway would answer 401. */
  authorize(authorizationHeader: string | undefined): Promise<JwtAuthorization | undefined>;
}

function claimValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(claimValue).join(' ')}]`;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * API Gateway's JWT authorizer for HTTP APIs: the token (optionally prefixed with `Bearer `) must be signed by
 * a key in the issuer's JWKS, come from the configured issuer, name a configured audience in `aud` (or in
 * `client_id` when it has no `aud`), and be within `nbf`/`exp`, issued in the past.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
export function createJwtAuthorizer(settings: JwtAuthorizerSettings): JwtAuthorizer {
  // JwtVerifier is the class aws-jwt-verify also exports under its older name, JwtRsaVerifier.
  const verifier = JwtVerifier.create(
    {
      issuer: settings.issuer,
      jwksUri: `${settings.issuer}/.well-known/jwks.json`,
      // API Gateway accepts `client_id` in place of `aud`, which aws-jwt-verify's audience check does not.
      audience: null,
      customJwtCheck: ({ header, payload }) => checkLikeApiGateway(header.alg, payload, settings.audience),
    },
    { jwksCache: new SimpleJwksCache({ fetcher: new EmulatorJwksFetcher(settings.jwksEndpoint) }) },
  );

  return {
    async authorize(authorizationHeader) {
      const token = authorizationHeader?.trim().replace(/^Bearer\s+/i, '');
      if (!token) return undefined;
      try {
        const payload = await verifier.verify(token);
        const claims = Object.fromEntries(
          Object.entries(payload).map(([name, value]) => [name, claimValue(value)]),
        );
        return { jwt: { claims, scopes: null } };
      } catch {
        // Whatever the reason (bad signature, wrong issuer, expired, JWKS unreachable), API Gateway says 401.
        return undefined;
      }
    },
  };
}

function checkLikeApiGateway(alg: unknown, payload: JwtPayload, audience: readonly string[]): void {
  if (typeof alg !== 'string' || !alg.startsWith('RS')) {
    throw new JwtInvalidSignatureAlgorithmError('API Gateway accepts only RSA-signed tokens', alg, 'RS*');
  }
  if (typeof payload.exp !== 'number') throw new JwtParseError('The token has no exp claim');
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) {
    throw new JwtNotBeforeError('The token was issued in the future', payload.iat);
  }
  // When both are present API Gateway evaluates `aud` only.
  const named = payload.aud !== undefined ? payload.aud : payload.client_id;
  const names = Array.isArray(named) ? named : [named];
  if (!names.some((name) => typeof name === 'string' && audience.includes(name))) {
    throw new JwtInvalidAudienceError('The token is not meant for this API', named, audience);
  }
}
