import { postAnnouncement as operation } from '#contract/interactivity.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { type AnnouncementDeps, postAnnouncement } from './announcements.ts';
import { defaultAnnouncementDeps } from './deps.ts';

export const createHandler = (deps: HttpDeps & AnnouncementDeps) =>
  httpHandler(operation, deps, (request) =>
    postAnnouncement(deps, request.user, request.params.streamId, request.body),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultAnnouncementDeps() });
