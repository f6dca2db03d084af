/**
 * The watch pages: a video (with its details and, for the whole video, "Make a clip") and a live stream. Each
 * section is its own module in `watch/`; these views hold the page's state and keep it current.
 */
import {
  ApiError,
  call,
  mediaUrl,
  NotOfferedError,
  offers,
  playbackSource,
  type StreamView,
  type WatchableVideo,
} from '../api.ts';
import { announce, every, h, notice, replace } from '../dom.ts';
import { createPlayer, type Player } from '../player/player.ts';
import type { View } from '../router.ts';
import { clipPanel } from '../watch/clip-panel.ts';
import { disclaimerDismissed, disclaimerGate } from '../watch/disclaimer.ts';
import { livePlaybackUrl, offlinePlaceholder, streamDetails } from '../watch/live-details.ts';
import { liveInteractivity } from '../watch/live-interactivity.ts';
import { notReadyPlaceholder, unplayableNotice, videoDetails } from '../watch/video-details.ts';

const FINAL = new Set(['READY', 'FAILED']);

export const watchVideoView: View = {
  signedIn: true,
  async render(root, { videoId = '' }) {
    const heading = h('h1', {}, 'Video');
    const stage = h('div', { class: 'stage' });
    const details = h('div', { class: 'details' });
    root.append(heading, stage, details);
    let player: Player | undefined;
    let stopPolling: (() => void) | undefined;

    const show = async (video: WatchableVideo) => {
      heading.textContent = video.title;
      document.title = `${video.title} · Skycast`;
      replace(details, videoDetails(video));
      if (video.status !== 'READY') {
        replace(stage, notReadyPlaceholder(video));
        return;
      }
      const source = playbackSource(video);
      if (!source) {
        replace(stage, unplayableNotice(video));
        return;
      }
      const play = async () => {
        player = await createPlayer({
          url: source,
          title: video.title,
          live: false,
          poster: video.posterPath ? mediaUrl(video.posterPath) : undefined,
        });
        replace(stage, player.element);
        if (offers('createClip') && video.source.kind !== 'clip') details.append(clipPanel(video, player));
      };
      if (video.disclaimer && !disclaimerDismissed(video.videoId))
        replace(
          stage,
          disclaimerGate(video.videoId, video.disclaimer, () => void play()),
        );
      else await play();
    };

    let video = await call('getVideo', { params: { videoId } }).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    });
    if (!video) {
      heading.textContent = 'Video not found';
      stage.append(notice('There is no video here, or it is private. Check the link.', 'alert'));
      return undefined;
    }
    await show(video);
    if (!FINAL.has(video.status)) {
      // Processing: check every few seconds, and play it the moment it is ready.
      stopPolling = every(3000, async () => {
        const next = await call('getVideo', { params: { videoId } });
        if (next.status !== video?.status || next.progress !== video?.progress) {
          video = next;
          await show(next);
          if (FINAL.has(next.status)) {
            stopPolling?.();
            announce(next.status === 'READY' ? 'The video is ready.' : 'The video could not be processed.');
          }
        }
      });
    }
    return () => {
      stopPolling?.();
      player?.destroy();
    };
  },
};

export const watchLiveView: View = {
  signedIn: true,
  async render(root, { streamId = '' }) {
    const heading = h('h1', {}, 'Live stream');
    const stage = h('div', { class: 'stage' });
    const details = h('div', { class: 'details' });
    const interactive = liveInteractivity(streamId);
    interactive.bar.hidden = true;
    root.append(heading, stage, interactive.bar, details);
    if (!offers('watchStream')) {
      stage.append(notice('Live streams are not available on this server yet.', 'alert'));
      return undefined;
    }
    let player: Player | undefined;
    let playing: string | undefined;
    let stream: StreamView | undefined;
    /** The stream's disclaimer is on screen, waiting for the viewer to go on. */
    let gated = false;

    const offline = (text: string) => {
      player?.destroy();
      player = undefined;
      playing = undefined;
      gated = false;
      interactive.bar.hidden = true;
      replace(stage, offlinePlaceholder(text, stream));
    };

    const refresh = async () => {
      try {
        stream = await call('watchStream', { params: { streamId } });
      } catch (error) {
        if (error instanceof NotOfferedError || (error instanceof ApiError && error.status === 404)) {
          heading.textContent = 'Stream not found';
          offline('There is no stream here, or it is private. Check the link.');
          return;
        }
        throw error;
      }
      heading.textContent = stream.title || 'Live stream';
      document.title = `${heading.textContent} · Skycast`;
      replace(details, streamDetails(stream));
      if (stream.status !== 'LIVE' || !stream.playbackUrl) {
        if (playing !== 'offline') {
          offline('This stream is offline. This page will start playing when it goes live.');
          playing = 'offline';
        }
        return;
      }
      interactive.update(stream);
      if (gated) return;
      if (stream.disclaimer && !disclaimerDismissed(streamId)) {
        gated = true;
        // Reactions come with watching: not before the viewer has gone past the disclaimer.
        interactive.bar.hidden = true;
        replace(
          stage,
          disclaimerGate(streamId, stream.disclaimer, () => {
            gated = false;
            void refresh();
          }),
        );
        return;
      }
      // Compared without the token: watchStream signs a fresh one each time, and the player already has one.
      if (playing === stream.playbackUrl) return;
      playing = stream.playbackUrl;
      player?.destroy();
      player = await createPlayer({
        url: livePlaybackUrl(stream.playbackUrl, stream.playbackToken),
        title: stream.title,
        live: true,
        onFatal: (_message, isOffline) => {
          if (isOffline) {
            offline('This stream is offline. This page will start playing when it goes live.');
            playing = 'offline';
          }
        },
        onMetadata: (text) => interactive.onMetadata(text),
      });
      interactive.attach(player.overlay, player.video);
      interactive.update(stream);
      interactive.bar.hidden = false;
      replace(stage, player.element);
    };
    await refresh();
    const stop = every(5000, refresh);
    return () => {
      stop();
      interactive.destroy();
      player?.destroy();
    };
  },
};
