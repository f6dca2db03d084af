import * as z from 'zod';
import { VISIBILITIES, Video, VideoIdParams } from './catalog.ts';
import { defineOperation } from './operation.ts';
import { S3_MAX_PARTS } from './part-plan.ts';
import { multiLineText, singleLineText } from './text.ts';

/** The shapes of the uploads API: what each operation accepts (validated at the edge) and answers. */

/** Part URLs handed out per answer unless the caller asks for another number. */
export const PART_URLS_PER_PAGE = 100;
/** The most part URLs one answer carries (each is about 1–2 KB with a session token). */
export const MAX_PART_URLS_PER_PAGE = 500;

/** A file's name as the client's file system gives it: the shared text rule, plus no folders. */
export const FileName = singleLineText({
  label: 'A file name',
  max: 255,
  blankMessage: 'Send the name of the file.',
})
  .refine((name) => !/[/\\]/.test(name), 'Send the file name without its folder (no / or \\).')
  .refine((name) => !/^\.+$/.test(name), 'Send the name of the file, not "." or "..".');

export const CreateUploadRequest = z
  .object({
    fileName: FileName,
    size: z
      .number()
      .int('size is a whole number of bytes.')
      .min(1, 'The file is empty: there is nothing to upload.')
      .max(Number.MAX_SAFE_INTEGER)
      .describe('The size of the whole file, in bytes.'),
    contentType: z
      .string()
      .trim()
      .max(255)
      // Media types are ASCII (RFC 9110); the type is echoed in a 415's message, so nothing else gets in.
      .regex(/^[\x20-\x7e]*$/, 'A content type is printable ASCII, such as video/mp4.')
      .default('')
      .describe("The file's media type as the browser reports it (`File.type`); may be empty."),
    title: singleLineText({ label: 'A title', max: 200 })
      .optional()
      .describe('Defaults to the file name without its extension.'),
    description: multiLineText({ label: 'A description', max: 5000 }).optional(),
    visibility: z
      .enum(VISIBILITIES)
      .default('private')
      .describe('Private by default: nobody but the owner sees a video until the owner says otherwise.'),
  })
  .strict()
  .meta({ id: 'CreateUploadRequest' });
export type CreateUploadRequest = z.output<typeof CreateUploadRequest>;

const PartUrl = z
  .object({
    partNumber: z.number().int(),
    url: z
      .string()
      .describe("PUT the part's bytes here and keep the response's ETag header for completeUpload."),
  })
  .meta({ id: 'PartUrl' });

const partUrlPage = {
  expiresAt: z.iso.datetime().describe('When these URLs stop working; listUploadParts hands out fresh ones.'),
  parts: z.array(PartUrl).describe('URLs for the parts that still need uploading, in part order, one page.'),
  nextPartNumber: z
    .number()
    .int()
    .optional()
    .describe(
      'The next part that needs a URL after this page: call listUploadParts with fromPart set to it.',
    ),
};

const plan = {
  videoId: z.string(),
  size: z.number().int(),
  partSize: z.number().int().describe('Bytes in every part but the last, which holds the rest.'),
  partCount: z.number().int(),
};

export const UploadTicket = z.object({ ...plan, ...partUrlPage }).meta({ id: 'UploadTicket' });
export type UploadTicket = z.output<typeof UploadTicket>;

export const UploadedPart = z
  .object({
    partNumber: z.number().int(),
    size: z.number().int(),
    etag: z.string(),
  })
  .meta({ id: 'UploadedPart' });

export const UploadProgress = z
  .object({
    ...plan,
    uploadedParts: z.array(UploadedPart).describe('Parts S3 holds with the right size, in part order.'),
    uploadedBytes: z.number().int(),
    remainingParts: z
      .number()
      .int()
      .describe('Parts still to upload (missing, or received with the wrong size).'),
    ...partUrlPage,
  })
  .meta({ id: 'UploadProgress' });
export type UploadProgress = z.output<typeof UploadProgress>;

export const ListUploadPartsQuery = z
  .object({
    fromPart: z.coerce
      .number()
      .int()
      .min(1)
      .max(S3_MAX_PARTS)
      .default(1)
      .describe('Hand out URLs for parts from this number on.'),
    urlCount: z.coerce
      .number()
      .int()
      .min(0)
      .max(MAX_PART_URLS_PER_PAGE)
      .default(PART_URLS_PER_PAGE)
      .describe('How many part URLs to hand out (0: only report progress).'),
  })
  .strict();
export type ListUploadPartsQuery = z.output<typeof ListUploadPartsQuery>;

export const CompleteUploadRequest = z
  .object({
    parts: z
      .array(
        z
          .object({
            partNumber: z.number().int().min(1).max(S3_MAX_PARTS),
            etag: z
              .string()
              .trim()
              .min(1)
              .max(128)
              .regex(/^[\x21-\x7e]+$/, 'An ETag is the printable ASCII S3 answered the PUT with.')
              .describe("The ETag header S3 answered the part's PUT with."),
          })
          .strict(),
      )
      .min(1, 'Send the parts you uploaded.')
      .max(S3_MAX_PARTS)
      .refine(
        (parts) => new Set(parts.map((part) => part.partNumber)).size === parts.length,
        'Name each part number once.',
      ),
  })
  .strict()
  .meta({ id: 'CompleteUploadRequest' });
export type CompleteUploadRequest = z.output<typeof CompleteUploadRequest>;

export const createUpload = defineOperation({
  operationId: 'createUpload',
  method: 'POST',
  path: '/uploads',
  tag: 'uploads',
  summary: 'Start uploading a video file in parts, straight to storage',
  description:
    'Checks the size (up to the configured limit, 20 GiB by default) and type, creates the video as ' +
    'UPLOADING (private unless you say otherwise) and returns the part size, the part count and presigned ' +
    'URLs for the first parts. PUT each part to its URL; the URLs work for an hour. Each user has a quota of ' +
    'open uploads and of their bytes in flight: over it, 429 `QUOTA_EXCEEDED` until an upload completes or is aborted.',
  auth: 'user',
  checkRevocation: true,
  body: CreateUploadRequest,
  response: UploadTicket,
  successStatus: 201,
  errors: [400, 401, 413, 415, 429],
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
