import { abortUpload as operation } from '#contract/uploads.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultUploadsDeps } from './deps.ts';
import { abortUpload, type UploadsDeps } from './upload.ts';

export const createHandler = (deps: HttpDeps & UploadsDeps) =>
  httpHandler(operation, deps, async (request) => {
    await abortUpload(deps, request.user, request.params.videoId);
    return undefined;
  });

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultUploadsDeps() });
