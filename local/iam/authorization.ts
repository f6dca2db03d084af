/**
 * What the local IAM check works with: an AWS API request as the gateway received it, and what IAM would
 * evaluate for it (actions on resources, with the request's condition keys).
 */

/** One request to an emulated AWS service, as it reached the gateway. */
export interface ServiceRequest {
  method: string;
  /** Path and query string, as sent (percent-encoded). */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** The signing name of the service (the credential scope's service), e.g. `s3`, `dynamodb`, `ivs`. */
  service: string;
  /** The body, for requests whose authorization depends on it (see `needsBody`); undefined otherwise. */
  body?: Buffer;
}

/** One action on one resource, as IAM evaluates it. */
export interface AuthorizationCheck {
  action: string;
  resource: string;
  /** Request condition keys, e.g. `aws:RequestTag/application`, `s3:prefix`, `iam:PassedToService`. */
  context?: Record<string, string | string[]>;
}

/** What a request means to IAM. */
export type RequestAuthorization =
  /** Every check must be allowed. */
  | { kind: 'checked'; operation: string; checks: AuthorizationCheck[] }
  /** An operation AWS authorizes otherwise (a Cognito access token, a public key set): no IAM policy applies. */
  | { kind: 'public'; operation: string }
  /** The gateway does not know what IAM would check: the request is denied (fail closed). */
  | { kind: 'unmapped'; reason: string };

/** The account and region of the local resources. */
export interface ArnScope {
  region: string;
  accountId: string;
}

/** The body of a JSON request, or an empty object when there is none or it is not an object. */
export function jsonBody(request: ServiceRequest): Record<string, unknown> {
  if (!request.body || request.body.length === 0) return {};
  try {
    const parsed = JSON.parse(request.body.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export const header = (request: ServiceRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
