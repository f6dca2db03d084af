import { createUpload as operation } from '#contract/uploads.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultUploadsDeps } from './deps.ts';
import { createUpload, type UploadsDeps } from './upload.ts';

export const createHandler = (deps: HttpDeps & UploadsDeps) =>
  httpHandler(operation, deps, (request) => createUpload(deps, request.user, request.body));

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultUploadsDeps() });
