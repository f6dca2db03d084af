/**
 * The document the web app reads at `/config.json`: where the API, the user pool and the media are. The local
 * platform serves it; the CDK app writes the same shape at deploy time.
 */
export interface WebConfig {
  region: string;
  /** Base URL of the HTTP API, without a trailing slash; operation paths from /openapi.json follow it. */
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Base URL the media (playlists, segments, posters) is served from. */
  mediaUrl: string;
  /**
   * Where the Cognito user pools JSON API answers (`X-Amz-Target: AWSCognitoIdentityProviderService.*`).
   * Locally the platform's own endpoint; in AWS `https://cognito-idp.<region>.amazonaws.com/`.
   */
  cognitoEndpoint: string;
}
