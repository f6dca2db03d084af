/**
 * S3 REST requests (path-style, as the SDK sends them to an IP address endpoint, and presigned URLs) mapped to
 * what IAM checks: object operations on `arn:aws:s3:::<bucket>/<key>`, bucket operations on the bucket.
 * Multipart uploads are authorized as `s3:PutObject`, except ListParts and AbortMultipartUpload (S3's own
 * mapping in its documentation of the actions); DeleteObjects checks `s3:DeleteObject` for every key it names.
 */
import {
  type AuthorizationCheck,
  header,
  type RequestAuthorization,
  type ServiceRequest,
} from './authorization.ts';

/** Query parameters that are part of a presigned URL's signature, not subresources. */
const SIGNATURE_PARAMETERS = /^x-amz-/i;

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

function decodePath(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => decodeURIComponent(segment));
}

/** `Key` elements of a DeleteObjects request body. */
function keysToDelete(body: Buffer | undefined): string[] {
  const xml = body?.toString('utf8') ?? '';
  const unescapeXml = (value: string) =>
    value
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&apos;', "'")
      .replaceAll('&amp;', '&');
  return [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((match) => unescapeXml(match[1] as string));
}

/** Does authorizing this S3 request need its body? Only DeleteObjects names its objects there. */
export function s3NeedsBody(method: string, url: URL): boolean {
  return method === 'POST' && url.searchParams.has('delete');
}

function bucketRequest(
  method: string,
  bucket: string,
  query: URLSearchParams,
  request: ServiceRequest,
): RequestAuthorization {
  const on = (
    operation: string,
    action: string,
    context?: AuthorizationCheck['context'],
  ): RequestAuthorization => ({
    kind: 'checked',
    operation,
    checks: [{ action, resource: bucketArn(bucket), ...(context ? { context } : {}) }],
  });
  if ((method === 'GET' || method === 'HEAD') && query.has('uploads'))
    return on('ListMultipartUploads', 's3:ListBucketMultipartUploads');
  if (method === 'GET' && query.has('versions')) return on('ListObjectVersions', 's3:ListBucketVersions');
  if (method === 'GET' && query.has('location')) return on('GetBucketLocation', 's3:GetBucketLocation');
  const subresources = [...query.keys()].filter(
    (name) =>
      ![
        'list-type',
        'prefix',
        'delimiter',
        'max-keys',
        'continuation-token',
        'start-after',
        'encoding-type',
        'fetch-owner',
        'marker',
        'delete',
      ].includes(name),
  );
  if (subresources.length === 0 && (method === 'GET' || method === 'HEAD')) {
    const context: Record<string, string> = {};
    for (const name of ['prefix', 'delimiter', 'max-keys'] as const) {
      const value = query.get(name);
      if (value !== null) context[`s3:${name}`] = value;
    }
    if (method === 'HEAD') return on('HeadBucket', 's3:ListBucket');
    return on(query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', 's3:ListBucket', context);
  }
  if (method === 'POST' && query.has('delete') && subresources.length === 0) {
    const keys = keysToDelete(request.body);
    if (keys.length === 0) return { kind: 'unmapped', reason: 'DeleteObjects without any Key in its body' };
    return {
      kind: 'checked',
      operation: 'DeleteObjects',
      checks: keys.map((key) => ({ action: 's3:DeleteObject', resource: objectArn(bucket, key) })),
    };
  }
  return {
    kind: 'unmapped',
    reason: `S3 bucket request ${method} /${bucket}${subresources.length ? `?${subresources.join('&')}` : ''} (not an operation Skycast's functions call)`,
  };
}

function copySourceCheck(request: ServiceRequest): AuthorizationCheck[] {
  const source = header(request, 'x-amz-copy-source');
  if (!source) return [];
  const [path] = decodeURIComponent(source).replace(/^\//, '').split('?');
  return [{ action: 's3:GetObject', resource: `arn:aws:s3:::${path}` }];
}

function objectRequest(
  method: string,
  bucket: string,
  key: string,
  query: URLSearchParams,
  request: ServiceRequest,
): RequestAuthorization {
  const resource = objectArn(bucket, key);
  const on = (operation: string, action: string, extra: AuthorizationCheck[] = []): RequestAuthorization => ({
    kind: 'checked',
    operation,
    checks: [{ action, resource }, ...extra],
  });
  const has = (name: string) => query.has(name);
  const plain = ![
    'tagging',
    'acl',
    'attributes',
    'restore',
    'retention',
    'legal-hold',
    'torrent',
    'select',
  ].some(has);
  switch (method) {
    case 'GET':
      if (has('uploadId')) return on('ListParts', 's3:ListMultipartUploadParts');
      if (has('tagging')) return on('GetObjectTagging', 's3:GetObjectTagging');
      if (plain)
        return has('versionId') ? on('GetObject', 's3:GetObjectVersion') : on('GetObject', 's3:GetObject');
      break;
    case 'HEAD':
      if (plain)
        return has('versionId') ? on('HeadObject', 's3:GetObjectVersion') : on('HeadObject', 's3:GetObject');
      break;
    case 'PUT':
      if (has('uploadId') && has('partNumber'))
        return on(
          header(request, 'x-amz-copy-source') ? 'UploadPartCopy' : 'UploadPart',
          's3:PutObject',
          copySourceCheck(request),
        );
      if (has('tagging')) return on('PutObjectTagging', 's3:PutObjectTagging');
      if (plain)
        return on(
          header(request, 'x-amz-copy-source') ? 'CopyObject' : 'PutObject',
          's3:PutObject',
          copySourceCheck(request),
        );
      break;
    case 'POST':
      if (has('uploads')) return on('CreateMultipartUpload', 's3:PutObject');
      if (has('uploadId')) return on('CompleteMultipartUpload', 's3:PutObject');
      break;
    case 'DELETE':
      if (has('uploadId')) return on('AbortMultipartUpload', 's3:AbortMultipartUpload');
      if (has('tagging')) return on('DeleteObjectTagging', 's3:DeleteObjectTagging');
      if (plain)
        return has('versionId')
          ? on('DeleteObject', 's3:DeleteObjectVersion')
          : on('DeleteObject', 's3:DeleteObject');
      break;
  }
  return { kind: 'unmapped', reason: `S3 object request ${method} with ?${[...query.keys()].join('&')}` };
}

/** What IAM checks for an S3 request. */
export function authorizeS3(request: ServiceRequest): RequestAuthorization {
  const url = new URL(request.url, 'http://s3.local');
  const query = new URLSearchParams();
  for (const [name, value] of url.searchParams)
    if (!SIGNATURE_PARAMETERS.test(name)) query.append(name, value);
  const [bucket, ...keyParts] = decodePath(url.pathname);
  const method = request.method.toUpperCase();
  if (!bucket) {
    return method === 'GET'
      ? {
          kind: 'checked',
          operation: 'ListBuckets',
          checks: [{ action: 's3:ListAllMyBuckets', resource: '*' }],
        }
      : { kind: 'unmapped', reason: `S3 request ${method} /` };
  }
  const key = keyParts.join('/');
  if (keyParts.length === 0 || key === '') return bucketRequest(method, bucket, query, request);
  return objectRequest(method, bucket, key, query, request);
}
