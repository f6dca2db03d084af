/** The environment pipeline functions get besides what their `access` adds. */

/**
 * The environment variable through which every queue and event-rule function receives the application name
 * (`skycast-<stage>`), the value MediaConvert jobs carry and event rules match on.
 */
export const APPLICATION_ENV = 'APPLICATION_NAME';

/**
 * Powertools' service name for a pipeline function: `skycast-<capability>` from its handler's folder
 * (`lambdas/transcoding/submit.ts` → `skycast-transcoding`), or `skycast-<fallback>` for an entry elsewhere.
 */
export function serviceNameOf(entry: string, fallback: string): string {
  const capability = /(?:^|\/)lambdas\/([^/]+)\/[^/]+$/.exec(entry)?.[1];
  return `skycast-${capability ?? fallback}`;
}
