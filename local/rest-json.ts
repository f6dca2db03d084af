/**
 * What the local AWS service emulators (MediaConvert, IVS) share on the wire: AWS's REST-JSON answers, with the
 * request id header the SDK reads, and request bodies read with a size limit.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A JSON answer as an AWS REST-JSON service sends it. */
export function sendAwsJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(payload.length),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}

/**
 * A request's JSON body (`{}` when empty). `refuse` makes the service's own error for a body over `maxBytes`
 * or one that is not JSON, so each emulator answers in its service's terms.
 */
export async function readJsonBody(
  request: IncomingMessage,
  maxBytes: number,
  refuse: (message: string) => Error,
): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw refuse('The request body is too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw refuse('The request body is not valid JSON.');
  }
}
