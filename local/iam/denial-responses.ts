/**
 * How AWS answers a request IAM denied, per protocol, so a function's SDK raises the error it would in AWS:
 * S3's XML `AccessDenied` (403), the JSON protocol's `AccessDeniedException` (400) and REST-JSON's (403).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

const escapeXml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Sends the AccessDenied answer of the request's protocol. */
export function sendAccessDenied(
  response: ServerResponse,
  protocol: 's3' | 'json' | 'rest-json',
  message: string,
  method: string,
): void {
  const requestId = randomUUID();
  if (protocol === 's3') {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message>` +
      `<RequestId>${requestId}</RequestId><HostId>skycast-local</HostId></Error>`;
    response.writeHead(403, {
      'content-type': 'application/xml',
      'x-amz-request-id': requestId,
      'content-length': Buffer.byteLength(body),
    });
    response.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const body = JSON.stringify(
    protocol === 'json'
      ? { __type: 'AccessDeniedException', message }
      : { message, exceptionMessage: message },
  );
  response.writeHead(protocol === 'json' ? 400 : 403, {
    'content-type': protocol === 'json' ? 'application/x-amz-json-1.0' : 'application/json',
    'x-amzn-errortype': 'AccessDeniedException',
    'x-amzn-requestid': requestId,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
