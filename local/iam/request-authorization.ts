/**
 * Who signed a request (the access key and the credential scope's service, from the SigV4 Authorization header
 * or a presigned URL's X-Amz-Credential) and what IAM would check for it, whichever service it is for.
 */
import { type ArnScope, header, type RequestAuthorization, type ServiceRequest } from './authorization.ts';
import { authorizeJson, jsonServiceOf } from './json-requests.ts';
import { authorizeIvs, authorizeMediaConvert, authorizeScheduler } from './rest-requests.ts';
import { authorizeS3, s3NeedsBody } from './s3-requests.ts';

/** The signer of a request, as its SigV4 credential scope says. */
export interface RequestSigner {
  accessKeyId: string;
  region: string;
  /** The signing name, e.g. `s3`, `dynamodb`, `cognito-idp`, `ivs`, `mediaconvert`. */
  service: string;
}

/** Who signed the request, or undefined for an unsigned one. */
export function signerOf(
  method: string,
  url: string,
  headers: ServiceRequest['headers'],
): RequestSigner | undefined {
  const authorization = header({ method, url, headers, service: '' }, 'authorization');
  let credential = authorization ? /Credential=([^,\s]+)/.exec(authorization)?.[1] : undefined;
  if (!credential)
    credential = new URL(url, 'http://gateway.local').searchParams.get('X-Amz-Credential') ?? undefined;
  if (!credential) return undefined;
  const [accessKeyId, , region, service] = credential.split('/');
  if (!accessKeyId || !region || !service) return undefined;
  return { accessKeyId, region, service };
}

/** The JSON services are told apart by X-Amz-Target, the others by the signing name. */
const REST_SERVICES = new Set(['s3', 'ivs', 'mediaconvert', 'scheduler']);

/** Does authorizing this request need its body (read before it is forwarded)? S3 uploads are streamed. */
export function needsBody(request: Omit<ServiceRequest, 'body'>): boolean {
  if (request.service === 's3')
    return s3NeedsBody(request.method.toUpperCase(), new URL(request.url, 'http://s3.local'));
  return true;
}

/** What IAM checks for a request to any of the services the local platform emulates. */
export function authorizeRequest(request: ServiceRequest, scope: ArnScope): RequestAuthorization {
  const target = header(request, 'x-amz-target');
  if (target && jsonServiceOf(target)) return authorizeJson(request, target, scope);
  if (!REST_SERVICES.has(request.service))
    return {
      kind: 'unmapped',
      reason: `a ${request.service} request the gateway cannot read (${request.method} ${request.url.split('?')[0]})`,
    };
  if (request.service === 's3') return authorizeS3(request);
  if (request.service === 'ivs') return authorizeIvs(request, scope);
  if (request.service === 'scheduler') return authorizeScheduler(request, scope);
  return authorizeMediaConvert(request, scope);
}
