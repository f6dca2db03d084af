import {
  type Engine,
  type EngineEvents,
  followMetadataCues,
  MetadataTimeline,
  qualityLabels,
} from './engine.ts';
import { id3TextFrames } from './id3.ts';

/** hls.js where Media Source Extensions exist; the browser's own HLS otherwise (iOS Safari). */
export async function hlsEngine(
  video: HTMLVideoElement,
  url: string,
  live: boolean,
  events: EngineEvents,
): Promise<Engine> {
  const { default: Hls } = await import('hls.js');
  if (!Hls.isSupported()) {
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      // Safari's own HLS puts the segments' ID3 frames on a metadata text track, timed to the video.
      const unfollow = events.onMetadata ? followMetadataCues(video, events.onMetadata) : () => {};
      video.src = url;
      return {
        name: 'native',
        qualities: () => [],
        setQuality: () => {},
        playingLabel: () => (video.videoHeight ? `${video.videoHeight}p` : undefined),
        destroy: () => {
          unfollow();
          video.removeAttribute('src');
          video.load();
        },
      };
    }
    throw new Error('This browser cannot play HLS video. Try a current Chrome, Firefox, Edge or Safari.');
  }

  // Media is served from the app's own origin, so the playback cookies go with every request as they are; no
  // `withCredentials`, which a media domain of its own (CORS `*`) would refuse.
  const hls = new Hls({
    lowLatencyMode: live,
    backBufferLength: live ? 30 : 90,
    // Not hls.js's own metadata text track (see below): it would load a `data:` track the page's CSP refuses.
    enableID3MetadataCues: false,
    enableEmsgMetadataCues: false,
  });
  // In-band metadata: hls.js hands over each segment's ID3 samples as it parses them, ahead of playback, with
  // their time on the video's timeline; each payload is raised when playback gets there.
  const timeline = events.onMetadata ? new MetadataTimeline(video, events.onMetadata) : undefined;
  if (timeline)
    hls.on(Hls.Events.FRAG_PARSING_METADATA, (_event, data) => {
      for (const sample of data.samples)
        for (const text of id3TextFrames(sample.data)) timeline.add(sample.pts, text);
    });
  let recoveredMedia = false;
  let retriedNetwork = 0;
  hls.on(Hls.Events.MANIFEST_PARSED, () => events.onQualities());
  hls.on(Hls.Events.LEVEL_SWITCHED, () => events.onQualitySwitch());
  hls.on(Hls.Events.ERROR, (_event, data) => {
    const status = data.response?.code;
    // A live playlist that is gone means the stream ended: say so at the first 404 instead of asking again and
    // again (hls.js retries before it calls the error fatal). The page checks the stream and starts over.
    const playlistGone =
      live &&
      (status === 404 || status === 410) &&
      (data.details === Hls.ErrorDetails.LEVEL_LOAD_ERROR ||
        data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR);
    if (playlistGone) {
      hls.stopLoad();
      events.onFatal('The stream is offline.', true);
      return;
    }
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      // A live playlist that is gone means the stream ended; anything else gets a few more tries.
      if (
        live &&
        (status === 404 || status === 410 || data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR)
      ) {
        events.onFatal('The stream is offline.', true);
        return;
      }
      if (status === 403) {
        events.onFatal('You are not allowed to watch this (or your access expired). Reload the page.', false);
        return;
      }
      if (retriedNetwork++ < 3) {
        hls.startLoad();
        return;
      }
      events.onFatal('The video could not be loaded: check your connection and reload.', false);
      return;
    }
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
      recoveredMedia = true;
      hls.recoverMediaError();
      return;
    }
    events.onFatal(`The video cannot be played (${data.details}).`, false);
  });
  hls.loadSource(url);
  hls.attachMedia(video);

  // hls.js lists levels worst first; the menu shows the best first.
  return {
    name: 'hls.js',
    qualities: () => {
      const names = qualityLabels(
        hls.levels.map((level) => ({ height: level.height, bitrate: level.bitrate })),
      );
      return names.map((label, index) => ({ index, label })).reverse();
    },
    setQuality: (index) => {
      // currentLevel switches now (flushing the buffer); -1 returns to automatic choice.
      hls.currentLevel = index;
    },
    playingLabel: () => {
      const level = hls.levels[hls.currentLevel];
      if (!level) return undefined;
      return qualityLabels(hls.levels.map((l) => ({ height: l.height, bitrate: l.bitrate })))[
        hls.currentLevel
      ];
    },
    destroy: () => {
      timeline?.destroy();
      hls.destroy();
    },
  };
}
