/**
 * CloudFront's check of signed URLs and signed cookies (trusted key groups), for the local media server: the
 * same inputs, the same rules, the same outcome — a request without a valid signature gets 403 and no bytes.
 *
 * As CloudFront documents it:
 * - a request with the signed-URL query parameters (`Expires` or `Policy`, `Signature`, `Key-Pair-Id`) is judged
 *   by them alone; otherwise by the cookies `CloudFront-Expires` or `CloudFront-Policy`, `CloudFront-Signature`
 *   and `CloudFront-Key-Pair-Id`;
 * - values use CloudFront's URL-safe base64 (`+`→`-`, `=`→`_`, `/`→`~`);
 * - a canned policy is rebuilt from the URL (without the signing parameters) and `Expires`; a custom policy is
 *   the decoded JSON, with one statement;
 * - the signature is RSA-SHA1 over the policy's bytes (RSA-SHA256 with `Hash-Algorithm=SHA256`), by a key of a
 *   trusted key group, named by its id;
 * - `Resource` may use `*` (any run of characters) and `?` (one character) and is matched against the whole URL,
 *   `scheme://host/path?query` (for signed URLs, the query without the signing parameters);
 * - `DateLessThan` is required and exclusive; `DateGreaterThan` and `IpAddress` (`AWS:SourceIp`, a CIDR) are
 *   optional.
 */
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';

/** Trusted public keys by their id (CloudFront's public key id, the Key-Pair-Id). */
export type TrustedKeys = ReadonlyMap<string, KeyObject | string>;

/** What the checker needs from a request. */
export interface SignedRequest {
  /** e.g. `http` locally, `https` on CloudFront. */
  scheme: string;
  /** The Host header. */
  host: string;
  /** The request target as sent: path and query string. */
  target: string;
  /** The Cookie header(s). */
  cookie?: string | undefined;
  sourceIp: string;
}

export type SignatureVerdict = { ok: true; via: 'url' | 'cookies' } | { ok: false; reason: string };

const URL_PARAMETERS = ['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm'];

/** CloudFront's URL-safe base64 back to standard base64. */
export function decodeCloudFrontBase64(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9\-_~]+$/.test(value)) return undefined;
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

/** Cookies of a Cookie header; the first of a repeated name wins, as the most specific path comes first. */
function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals === -1) continue;
    const name = part.slice(0, equals).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(equals + 1).trim());
  }
  return cookies;
}

const compiled = new Map<string, RegExp>();
/** Whether a policy's Resource (with `*` and `?`) matches a URL. */
export function resourceMatches(resource: string, url: string): boolean {
  let pattern = compiled.get(resource);
  if (!pattern) {
    const source = [...resource]
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    pattern = new RegExp(`^${source}$`, 's');
    compiled.set(resource, pattern);
  }
  return pattern.test(url);
}

function ipMatches(cidr: string, ip: string): boolean {
  const [address, bits] = cidr.split('/');
  if (!address) return false;
  const type = isIPv4(address) ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  try {
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
    return list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
}

const epoch = (value: unknown): number | undefined => {
  const time = (value as Record<string, unknown> | undefined)?.['AWS:EpochTime'];
  return typeof time === 'number' && Number.isInteger(time) ? time : undefined;
};

/** Checks a policy's statement against the URL, the time and the client's address. */
function checkPolicy(
  policyText: string,
  url: string,
  now: number,
  sourceIp: string,
  resourceRequired: boolean,
): string | undefined {
  let policy: unknown;
  try {
    policy = JSON.parse(policyText);
  } catch {
    return 'the policy is not JSON';
  }
  const statements = (policy as { Statement?: unknown }).Statement;
  if (!Array.isArray(statements) || statements.length !== 1)
    return 'the policy must have exactly one statement';
  const statement = statements[0] as { Resource?: unknown; Condition?: Record<string, unknown> };
  if (statement.Resource === undefined) {
    if (resourceRequired) return 'the policy names no Resource';
  } else if (typeof statement.Resource !== 'string' || !resourceMatches(statement.Resource, url)) {
    return 'the policy does not cover this URL';
  }
  const condition = statement.Condition ?? {};
  const lessThan = epoch(condition.DateLessThan);
  if (lessThan === undefined) return 'the policy has no DateLessThan';
  if (now >= lessThan) return 'the signature has expired';
  if (condition.DateGreaterThan !== undefined) {
    const greaterThan = epoch(condition.DateGreaterThan);
    if (greaterThan === undefined) return 'DateGreaterThan is not an epoch time';
    if (now < greaterThan) return 'the signature is not valid yet';
  }
  if (condition.IpAddress !== undefined) {
    const cidr = (condition.IpAddress as Record<string, unknown>)['AWS:SourceIp'];
    if (typeof cidr !== 'string' || !ipMatches(cidr, sourceIp)) return 'the client address is not allowed';
  }
  return undefined;
}

/**
 * Signatures already checked, by key, hash, signature and policy: a player sends the same cookies with every
 * segment, and an RSA verification costs more than serving a small range. The outcome of the signature check
 * alone is kept; the policy's time and address conditions are evaluated on every request. A key no longer
 * trusted is not consulted (the key lookup comes first).
 */
const verifiedBy = new WeakMap<TrustedKeys, Map<string, boolean>>();
const MAX_VERIFIED = 10_000;
function verifiedFor(trusted: TrustedKeys): Map<string, boolean> {
  let verified = verifiedBy.get(trusted);
  if (!verified) {
    verified = new Map();
    verifiedBy.set(trusted, verified);
  }
  return verified;
}

interface Credentials {
  via: 'url' | 'cookies';
  expires?: string | undefined;
  policy?: string | undefined;
  signature?: string | undefined;
  keyPairId?: string | undefined;
  hashAlgorithm?: string | undefined;
}

/** Judges a request as a CloudFront behaviour with trusted key groups does. */
export function checkSignedRequest(
  request: SignedRequest,
  trusted: TrustedKeys,
  now = Math.floor(Date.now() / 1000),
): SignatureVerdict {
  const queryAt = request.target.indexOf('?');
  const path = queryAt === -1 ? request.target : request.target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : request.target.slice(queryAt + 1);
  const pairs = query === '' ? [] : query.split('&');
  const isSigning = (pair: string) => URL_PARAMETERS.includes(decodeURIComponent(pair.split('=')[0] ?? ''));
  const parameter = (name: string) => {
    const pair = pairs.find((p) => p.split('=')[0] === name);
    return pair === undefined ? undefined : decodeURIComponent(pair.slice(name.length + 1));
  };

  let credentials: Credentials;
  let url: string;
  if (parameter('Signature') !== undefined || parameter('Key-Pair-Id') !== undefined) {
    const rest = pairs.filter((pair) => !isSigning(pair)).join('&');
    url = `${request.scheme}://${request.host}${path}${rest ? `?${rest}` : ''}`;
    credentials = {
      via: 'url',
      expires: parameter('Expires'),
      policy: parameter('Policy'),
      signature: parameter('Signature'),
      keyPairId: parameter('Key-Pair-Id'),
      hashAlgorithm: parameter('Hash-Algorithm'),
    };
  } else {
    url = `${request.scheme}://${request.host}${request.target}`;
    const cookies = parseCookies(request.cookie);
    credentials = {
      via: 'cookies',
      expires: cookies.get('CloudFront-Expires'),
      policy: cookies.get('CloudFront-Policy'),
      signature: cookies.get('CloudFront-Signature'),
      keyPairId: cookies.get('CloudFront-Key-Pair-Id'),
      hashAlgorithm: cookies.get('CloudFront-Hash-Algorithm'),
    };
  }

  const { signature, keyPairId } = credentials;
  if (!signature || !keyPairId || (!credentials.policy && !credentials.expires)) {
    return { ok: false, reason: 'no signed URL or signed cookies' };
  }
  const key = trusted.get(keyPairId);
  if (!key) return { ok: false, reason: 'the key pair id is not in a trusted key group' };

  let policyText: string;
  if (credentials.policy) {
    const decoded = decodeCloudFrontBase64(credentials.policy);
    if (!decoded) return { ok: false, reason: 'the policy is not CloudFront base64' };
    policyText = decoded.toString('utf8');
  } else {
    const expires = Number(credentials.expires);
    if (!/^\d+$/.test(credentials.expires ?? ''))
      return { ok: false, reason: 'Expires is not an epoch time' };
    // The canned policy CloudFront signs: this URL, this time, no whitespace.
    const resource = credentials.via === 'url' ? url : url.split('?')[0];
    policyText = `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
  }

  const signatureBytes = decodeCloudFrontBase64(signature);
  if (!signatureBytes) return { ok: false, reason: 'the signature is not CloudFront base64' };
  const hash = credentials.hashAlgorithm ?? 'SHA1';
  if (hash !== 'SHA1' && hash !== 'SHA256') return { ok: false, reason: `unknown hash algorithm ${hash}` };
  const cacheKey = `${keyPairId} ${hash} ${signature} ${policyText}`;
  const verified = verifiedFor(trusted);
  let valid = verified.get(cacheKey);
  if (valid === undefined) {
    const verifier = createVerify(`RSA-${hash}`);
    verifier.update(policyText, 'utf8');
    try {
      valid = verifier.verify(typeof key === 'string' ? createPublicKey(key) : key, signatureBytes);
    } catch {
      valid = false;
    }
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
    verified.set(cacheKey, valid);
  }
  if (!valid) return { ok: false, reason: 'the signature does not match the policy' };

  const problem = checkPolicy(policyText, url, now, request.sourceIp, credentials.via === 'cookies');
  return problem ? { ok: false, reason: problem } : { ok: true, via: credentials.via };
}
