/**
 * A live ad break in the viewer's player: over the paused stream, the creative plays with a countdown; when the
 * break is over, the creative goes and the stream plays again from its live edge. The break arrives in-band
 * (every viewer switches at the same moment of the video) or, for a viewer who joins while it plays, from
 * watchStream.
 */
import type { AdBreak } from '#contract/interactivity-limits.ts';
import { ApiError, call, playbackSource } from '../api.ts';
import { announce, h } from '../dom.ts';
import { createPlayer, type Player } from '../player/player.ts';

type Break = Pick<AdBreak, 'adBreakId' | 'durationSeconds' | 'creativeVideoId'>;

/** Plays `adBreak` for `seconds` over `liveVideo` inside `overlay`; the returned function ends it early. */
export function playAdBreak(
  overlay: HTMLElement,
  liveVideo: HTMLVideoElement,
  adBreak: Break,
  seconds: number,
  onEnd: () => void,
): () => void {
  const countdown = h('span', { class: 'ad-break-countdown' });
  const stage = h('div', { class: 'ad-break-stage' });
  const element = h(
    'div',
    { class: 'ad-break', role: 'region', 'aria-label': 'Ad break', 'data-ad-break': adBreak.adBreakId },
    h('p', { class: 'ad-break-bar' }, h('span', { class: 'ad-break-label' }, 'Ad'), countdown),
    stage,
  );
  overlay.append(element);
  const wasMuted = liveVideo.muted;
  liveVideo.pause();
  announce(`Ad break: the stream is back in ${Math.round(seconds)} seconds.`);
  let creative: Player | undefined;
  let over = false;
  const endsAt = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    countdown.textContent = `Back to the live stream in ${left} s`;
    if (left <= 0) finish();
  };
  const timer = setInterval(tick, 250);
  tick();

  function finish() {
    if (over) return;
    over = true;
    clearInterval(timer);
    creative?.destroy();
    element.remove();
    // Back to the live edge: what was said meanwhile is behind us, as for everyone else.
    const { seekable } = liveVideo;
    if (seekable.length > 0) liveVideo.currentTime = Math.max(0, seekable.end(seekable.length - 1) - 1);
    liveVideo.muted = wasMuted;
    liveVideo.play().catch(() => {});
    announce('Back to the live stream.');
    onEnd();
  }

  void (async () => {
    try {
      const video = await call('getVideo', { params: { videoId: adBreak.creativeVideoId } });
      const source = video.status === 'READY' ? playbackSource(video) : undefined;
      if (over) return;
      if (!source) {
        stage.append(
          h('p', { class: 'ad-break-missing' }, 'The ad cannot be played; the stream is back soon.'),
        );
        return;
      }
      creative = await createPlayer({ url: source, title: `Ad: ${video.title}`, live: false });
      if (over) {
        creative.destroy();
        return;
      }
      stage.append(creative.element);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (!over)
        stage.append(
          h('p', { class: 'ad-break-missing' }, 'The ad cannot be played; the stream is back soon.'),
        );
    }
  })();

  return finish;
}
