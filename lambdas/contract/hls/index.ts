/**
 * The house's one HLS module (RFC 8216): every playlist Skycast reads or writes goes through it — the manifest
 * Lambda's filtered multivariants and clip sub-playlists, transcoding completion reading MediaConvert's
 * multivariant playlist, and the local IVS and MediaConvert emulators writing theirs.
 *
 * It parses strictly what it interprets (a malformed tag is an `HlsParseError` naming the line) and keeps
 * verbatim every tag it does not interpret, where it stood: on the segment it precedes, after the last
 * segment, or playlist-wide. So EXT-X-DATERANGE, EXT-X-CUE-OUT/IN, EXT-X-GAP, EXT-X-SESSION-DATA and tags not
 * yet invented pass through a filter or a clip unchanged; EXT-X-MAP, EXT-X-PROGRAM-DATE-TIME,
 * EXT-X-DISCONTINUITY, EXT-X-I-FRAME-STREAM-INF and EXT-X-MEDIA of every TYPE are interpreted and rendered.
 *
 * Why our own code rather than the `hls-parser` package (which the tests use as the independent check):
 * - it drops tags it does not know on parse, so a round trip loses them; and it rewrites some it does know
 *   (`#EXT-X-CUE-OUT:30` comes back as `#EXT-X-CUE-OUT:DURATION=30`, dates re-serialised);
 * - even in its strict mode it accepts what RFC 8216 forbids and we refuse (e.g. `#EXTINF:six,`), and our
 *   strict checks (target duration, byte ranges, quoting) map to a 502 from the manifest Lambda;
 * - its bundle is about 60 KB minified, several times this module, in a Lambda whose cold start a viewer waits
 *   on; this module imports nothing, so the contract floor stays free of packages.
 */
export {
  parseAttributes,
  renderAttributes,
} from './attributes.ts';
export { type MeasuredSegment, measureBitrates } from './bitrate.ts';
export { parseMediaPlaylist, parseMultivariantPlaylist, parsePlaylist } from './parse.ts';
export { formatDuration, type RenderOptions, renderPlaylist, targetDurationOf } from './render.ts';
export * from './types.ts';
