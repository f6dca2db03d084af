import { listUploadParts as operation } from '#contract/uploads.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultUploadsDeps } from './deps.ts';
import { listUploadParts, type UploadsDeps } from './upload.ts';

export const createHandler = (deps: HttpDeps & UploadsDeps) =>
  httpHandler(operation, deps, (request) =>
    listUploadParts(deps, request.user, request.params.videoId, request.query),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultUploadsDeps() });
