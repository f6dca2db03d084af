/**
 * The web app's settings, served at `/config.json`. The local platform serves a document of the same shape,
 * so the web app reads one format wherever it runs.
 */
export interface WebConfig {
  /** The AWS region of the user pool and the API. */
  region: string;
  /** The HTTP API's base URL, without a trailing slash; operation paths are appended to it. */
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  /**
   * Base URL of videos, renditions, thumbnails and recordings, without a trailing slash: the media
   * distribution, or `/media` on the local platform. A video's `playbackPath` is
   * relative to it.
   */
  mediaUrl: string;
  /** Where the Cognito API answers: `https://cognito-idp.<region>.amazonaws.com/`. */
  cognitoEndpoint: string;
}
