import * as z from 'zod';
import { defineOperation } from '#shared/operation.ts';
import {
  IngestResponse,
  ListStreamsQuery,
  StartStreamRequest,
  StartStreamResponse,
  StreamIdParams,
  StreamPage,
  StreamView,
} from './stream.ts';

export const startStream = defineOperation({
  operationId: 'startStream',
  method: 'POST',
  path: '/streams',
  tag: 'live',
  summary: 'Get ready to go live: your channel (created on first use), its ingest URL and stream key',
  description:
    'Creates your IVS channel the first time (one per creator, low latency, RTMPS ingest, recorded) and ' +
    'updates its title, category, tags and visibility. Publish to `ingest.url + ingest.streamKey`.',
  auth: 'user',
  checkRevocation: true,
  body: StartStreamRequest,
  response: StartStreamResponse,
  errors: [400, 401, 415],
});

export const getStreamKey = defineOperation({
  operationId: 'getStreamKey',
  method: 'GET',
  path: '/streams/{streamId}/key',
  tag: 'live',
  summary: 'Your stream key',
  description: 'Only the owner of the stream can read its key; anyone else gets 404.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  response: IngestResponse,
  errors: [400, 401, 404],
});

export const rotateStreamKey = defineOperation({
  operationId: 'rotateStreamKey',
  method: 'POST',
  path: '/streams/{streamId}/key',
  tag: 'live',
  summary: 'Replace your stream key',
  description:
    'Revokes the old key first, then stops the stream (an encoder reconnecting with the old key is ' +
    'refused), then creates a new key.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  response: IngestResponse,
  errors: [400, 401, 404],
});

export const endStream = defineOperation({
  operationId: 'endStream',
  method: 'POST',
  path: '/streams/{streamId}/end',
  tag: 'live',
  summary: 'Stop your live stream',
  description: 'Disconnects the encoder. Ending a stream that is not live does nothing.',
  auth: 'user',
  checkRevocation: true,
  params: StreamIdParams,
  response: z.undefined(),
  successStatus: 204,
  errors: [400, 401, 404],
});

export const watchStream = defineOperation({
  operationId: 'watchStream',
  method: 'GET',
  path: '/streams/{streamId}',
  tag: 'live',
  summary: 'One stream: status, title, playback URL (and token for a private stream)',
  description:
    'Public and unlisted streams are readable by anyone signed in; a private one only by its owner.',
  auth: 'user',
  params: StreamIdParams,
  response: StreamView,
  errors: [400, 401, 404],
});

export const listStreams = defineOperation({
  operationId: 'listStreams',
  method: 'GET',
  path: '/streams',
  tag: 'live',
  summary: 'Public streams that are live now, most recently started first',
  auth: 'user',
  query: ListStreamsQuery,
  response: StreamPage,
  errors: [400, 401],
});
