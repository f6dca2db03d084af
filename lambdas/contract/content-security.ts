/**
 * The web app's Content-Security-Policy, defined once: CloudFront's response headers policy for the web app
 * (lib/delivery/web-app.ts) and the local platform's static files (local/origin.ts) send what
 * {@link contentSecurityPolicy} builds.
 *
 * What the built app needs, and nothing more: its own scripts and styles (Vite emits no inline script or style
 * tag); `'wasm-unsafe-eval'` for the IVS player, which compiles WebAssembly (it allows compiling wasm, not
 * `eval` of JavaScript); workers from its own origin and from `blob:` (hls.js and the IVS player start their
 * workers from blob URLs); `blob:` media, which is how Media Source Extensions attach to a <video>; images,
 * media and API calls to the origins the app's `/config.json` names, and upload parts to S3. Everything else, frames, plugins,
 * `<base>`, forms to elsewhere and being framed, is refused.
 */

/** Where the app reaches beyond its own origin, each as an origin (`https://host[:port]`) or a CSP source. */
export interface ContentSecuritySources {
  /** The API, and anywhere else the app fetches JSON from (the Cognito endpoint). */
  connect: readonly string[];
  /** Where playlists, segments and posters come from (also fetched: hls.js loads media with fetch/XHR). */
  media: readonly string[];
  /** Where the browser PUTs upload parts: the uploads bucket's S3 endpoint, through presigned URLs. */
  uploads: readonly string[];
}

/** IVS low-latency playback URLs (`https://<id>.<region>.playback.live-video.net/…`), for the IVS player. */
export const IVS_PLAYBACK_SOURCE = 'https://*.live-video.net';

/** The directives, in order; each value is a list of sources. */
export function contentSecurityDirectives(sources: ContentSecuritySources): [string, string[]][] {
  const self = "'self'";
  const unique = (values: readonly string[]) => [...new Set(values)];
  return [
    ['default-src', [self]],
    ['script-src', [self, "'wasm-unsafe-eval'"]],
    ['style-src', [self]],
    ['img-src', unique([self, 'data:', ...sources.media])],
    ['media-src', unique([self, 'blob:', ...sources.media])],
    ['connect-src', unique([self, ...sources.connect, ...sources.media, ...sources.uploads])],
    ['worker-src', [self, 'blob:']],
    ['font-src', [self]],
    ['manifest-src', [self]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', [self]],
    ['form-action', [self]],
    ['frame-ancestors', ["'none'"]],
  ];
}

/** The Content-Security-Policy header's value for the web app. */
export function contentSecurityPolicy(sources: ContentSecuritySources): string {
  return contentSecurityDirectives(sources)
    .map(([directive, values]) => `${directive} ${values.join(' ')}`)
    .join('; ');
}
