/**
 * MediaConvert's REST-JSON API on node:http, as `@aws-sdk/client-mediaconvert` calls it: the operations'
 * methods, paths and success codes, bodies converted through the SDK's schemas (see wire.ts), and errors
 * as the SDK reads them — the type in `x-amzn-ErrorType` (and `__type`), the text in `message`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CreateJobRequest,
  CreateJobRequest$,
  CreateJobResponse$,
  GetJobResponse$,
  ListJobsResponse$,
  type ProbeRequest,
  ProbeRequest$,
  ProbeResponse$,
} from '@aws-sdk/client-mediaconvert';
import { readJsonBody, sendAwsJson } from '../rest-json.ts';
import { ApiError } from './errors.ts';
import type { MediaConvertService } from './service.ts';
import type { ObjectStorage } from './storage.ts';
import { fromWire, toWire, WireShapeError } from './wire.ts';

const API_VERSION = '/2017-08-29';
/** Where ffprobe reads S3 objects during Probe; not part of MediaConvert's API. */
export const OBJECTS_PATH = '/_skycast/objects/';
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function sendError(response: ServerResponse, error: ApiError): void {
  sendAwsJson(
    response,
    error.status,
    { message: error.message, __type: error.type },
    { 'x-amzn-errortype': error.type },
  );
}

const readJson = (request: IncomingMessage) =>
  readJsonBody(request, MAX_BODY_BYTES, (message) => new ApiError('BadRequestException', message));

function parseWire<T>(schema: unknown, body: unknown): T {
  try {
    return fromWire(schema, body) as T;
  } catch (error) {
    if (error instanceof WireShapeError) throw new ApiError('BadRequestException', error.message);
    throw error;
  }
}

export interface ApiParts {
  service: MediaConvertService;
  storage: ObjectStorage;
  /** Objects ffprobe may read right now, by one-time token. */
  servedObjects: Map<string, { bucket: string; key: string }>;
}

/** Handles one request; never throws (unexpected failures become InternalServerErrorException). */
export async function handleRequest(
  parts: ApiParts,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  try {
    if (url.pathname.startsWith(OBJECTS_PATH) && (method === 'GET' || method === 'HEAD')) {
      const location = parts.servedObjects.get(url.pathname.slice(OBJECTS_PATH.length));
      if (!location) {
        response.writeHead(404).end();
        return;
      }
      await parts.storage.serve(location, request, response);
      return;
    }

    const jobPath = /^\/2017-08-29\/jobs\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === `${API_VERSION}/jobs` && method === 'POST') {
      const input = parseWire<CreateJobRequest>(CreateJobRequest$, await readJson(request));
      const job = parts.service.createJob(input);
      sendAwsJson(response, 201, toWire(CreateJobResponse$, { Job: job }));
      return;
    }
    if (url.pathname === `${API_VERSION}/jobs` && method === 'GET') {
      const query = url.searchParams;
      const maxResults = query.get('maxResults');
      const page = parts.service.listJobs({
        ...(maxResults ? { maxResults: Number(maxResults) } : {}),
        ...(query.get('nextToken') ? { nextToken: query.get('nextToken') as string } : {}),
        ...(query.get('order') ? { order: query.get('order') as string } : {}),
        ...(query.get('status') ? { status: query.get('status') as string } : {}),
        ...(query.get('queue') ? { queue: query.get('queue') as string } : {}),
      });
      sendAwsJson(response, 200, toWire(ListJobsResponse$, page));
      return;
    }
    if (jobPath && method === 'GET') {
      const job = parts.service.getJob(decodeURIComponent(jobPath[1] as string));
      sendAwsJson(response, 200, toWire(GetJobResponse$, { Job: job }));
      return;
    }
    if (jobPath && method === 'DELETE') {
      parts.service.cancelJob(decodeURIComponent(jobPath[1] as string));
      sendAwsJson(response, 202, {});
      return;
    }
    if (url.pathname === `${API_VERSION}/probe` && method === 'POST') {
      const input = parseWire<ProbeRequest>(ProbeRequest$, await readJson(request));
      const urls = (input.InputFiles ?? []).map((file, i) => {
        if (!file.FileUrl) throw new ApiError('BadRequestException', `InputFiles[${i}].FileUrl: required.`);
        return file.FileUrl;
      });
      if (urls.length === 0)
        throw new ApiError('BadRequestException', 'InputFiles: name at least one file to probe.');
      const results = await parts.service.probe(urls, parts.servedObjects);
      sendAwsJson(response, 200, toWire(ProbeResponse$, { ProbeResults: results }));
      return;
    }
    throw new ApiError(
      'BadRequestException',
      `The local MediaConvert emulator does not implement ${method} ${url.pathname}. It answers CreateJob, GetJob, ListJobs, CancelJob and Probe.`,
    );
  } catch (error) {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof ApiError) sendError(response, error);
    else {
      console.error('✖ MediaConvert emulator error:', error);
      sendError(
        response,
        new ApiError('InternalServerErrorException', 'The local MediaConvert emulator failed.'),
      );
    }
  }
}
