import { completeUpload as operation } from '#contract/uploads.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultUploadsDeps } from './deps.ts';
import { completeUpload, type UploadsDeps } from './upload.ts';

export const createHandler = (deps: HttpDeps & UploadsDeps) =>
  httpHandler(operation, deps, (request) =>
    completeUpload(deps, request.user, request.params.videoId, request.body),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultUploadsDeps() });
