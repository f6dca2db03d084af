import { sendReaction as operation } from '#contract/interactivity.ts';
import { defaultHttpDeps } from '#shared/cognito.ts';
import { type HttpDeps, httpHandler } from '#shared/http.ts';
import { defaultReactionDeps } from './deps.ts';
import { type ReactionDeps, sendReaction } from './reactions.ts';

export const createHandler = (deps: HttpDeps & ReactionDeps) =>
  httpHandler(operation, deps, (request) =>
    sendReaction(deps, request.user, request.params.streamId, request.body.reaction),
  );

export const handler = createHandler({ ...defaultHttpDeps(), ...defaultReactionDeps() });
