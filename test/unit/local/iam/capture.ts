/**
 * A stand-in AWS endpoint for the mapping tests: it records each request the SDK sends (method, URL, headers,
 * body) and answers with an empty success, so a test can send real SDK commands and look at what went out.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceRequest } from '../../../../local/iam/authorization.ts';
import { signerOf } from '../../../../local/iam/request-authorization.ts';

export interface CapturedRequests {
  endpoint: string;
  /** The requests so far, as the gateway would see them (service from the signature). */
  requests: ServiceRequest[];
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function captureRequests(
  answer: (request: ServiceRequest) => {
    status: number;
    body: string;
    headers?: Record<string, string>;
  } = () => ({ status: 200, body: '{}' }),
): Promise<CapturedRequests> {
  const requests: ServiceRequest[] = [];
  const server = createServer(async (request, response) => {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const service = signerOf(method, url, request.headers)?.service ?? 'unsigned';
    const captured: ServiceRequest = {
      method,
      url,
      headers: request.headers,
      service,
      body: await bodyOf(request),
    };
    requests.push(captured);
    const reply = answer(captured);
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(reply.body);
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

export const TEST_CREDENTIALS = { accessKeyId: 'ASIATESTFUNCTION0000', secretAccessKey: 'secret' };
