import * as z from 'zod';
import { defineOperation } from '#shared/operation.ts';
import { VideoIdParams } from '../catalog/operations.ts';
import { Video } from '../catalog/video.ts';
import {
  CompleteUploadRequest,
  CreateUploadRequest,
  ListUploadPartsQuery,
  UploadProgress,
  UploadTicket,
} from './schemas.ts';

export const createUpload = defineOperation({
  operationId: 'createUpload',
  method: 'POST',
  path: '/uploads',
  tag: 'uploads',
  summary: 'Start uploading a video file in parts, straight to storage',
  description:
    'Checks the size (up to the configured limit, 20 GiB by default) and type, creates the video as ' +
    'UPLOADING (private unless you say otherwise) and returns the part size, the part count and presigned ' +
    'URLs for the first parts. PUT each part to its URL; the URLs work for an hour.',
  auth: 'user',
  checkRevocation: true,
  body: CreateUploadRequest,
  response: UploadTicket,
  successStatus: 201,
  errors: [400, 401, 413, 415],
});

export const listUploadParts = defineOperation({
  operationId: 'listUploadParts',
  method: 'GET',
  path: '/uploads/{videoId}/parts',
  tag: 'uploads',
  summary: 'Which parts arrived, and fresh URLs for the rest',
  description:
    'Resumes an upload after a reload or after its URLs expired. Only the owner sees an upload; ' +
    'anyone else gets 404.',
  auth: 'user',
  checkRevocation: true,
  params: VideoIdParams,
  query: ListUploadPartsQuery,
  response: UploadProgress,
  errors: [400, 401, 404, 409, 410],
});

export const completeUpload = defineOperation({
  operationId: 'completeUpload',
  method: 'POST',
  path: '/uploads/{videoId}/complete',
  tag: 'uploads',
  summary: 'Assemble the uploaded parts into the video file',
  description:
    'Every part must have arrived with its exact size and the ETag you name; otherwise 400 UPLOAD_INCOMPLETE ' +
    'says which parts are missing or wrong. Completing again returns the video as it is.',
  auth: 'user',
  checkRevocation: true,
  params: VideoIdParams,
  body: CompleteUploadRequest,
  response: Video,
  errors: [400, 401, 404, 410, 415],
});

export const abortUpload = defineOperation({
  operationId: 'abortUpload',
  method: 'DELETE',
  path: '/uploads/{videoId}',
  tag: 'uploads',
  summary: 'Abandon an upload in progress',
  description: 'Frees the uploaded parts and removes the video from the catalog.',
  auth: 'user',
  checkRevocation: true,
  params: VideoIdParams,
  response: z.undefined(),
  successStatus: 204,
  errors: [400, 401, 404, 409],
});
