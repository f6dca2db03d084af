/**
 * IVS private-channel playback authorization, as IVS checks it: the viewer's `token` is a JWT signed with
 * ES384 by a key pair whose public key was imported with ImportPlaybackKeyPair; its `aws:channel-arn` claim
 * names the channel (a trailing `*` matches a prefix) and `exp` is in the future.
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/private-channels-generate-tokens.html)
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

export type TokenCheck = { ok: true } | { ok: false; reason: string };

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `token` authorizes playback of `channelArn` at `nowSeconds` under one of `publicKeys` (PEM). */
export function checkPlaybackToken(
  token: string | undefined,
  channelArn: string,
  publicKeys: readonly KeyObject[],
  nowSeconds = Date.now() / 1000,
): TokenCheck {
  if (!token) return { ok: false, reason: 'This channel is private: a playback token is required.' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'The playback token is not a JWT.' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart);
  const payload = decodePart(payloadPart);
  if (!header || !payload) return { ok: false, reason: 'The playback token is not a JWT.' };
  if (header.alg !== 'ES384') return { ok: false, reason: 'The playback token is not signed with ES384.' };
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const valid = publicKeys.some((key) =>
    verify('sha384', signed, { key, dsaEncoding: 'ieee-p1363' }, signature),
  );
  if (!valid) return { ok: false, reason: 'The playback token signature does not match any playback key.' };
  if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds)
    return { ok: false, reason: 'The playback token has expired.' };
  const claim = payload['aws:channel-arn'];
  const matches =
    typeof claim === 'string' &&
    (claim === channelArn || (claim.endsWith('*') && channelArn.startsWith(claim.slice(0, -1))));
  if (!matches) return { ok: false, reason: 'The playback token is for another channel.' };
  return { ok: true };
}

/** An imported public key, refused unless it is an EC P-384 key as IVS requires. */
export function importPlaybackPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || (curve !== 'secp384r1' && curve !== 'P-384'))
    throw new Error('The public key must be an ECDSA P-384 key.');
  return key;
}
