/** The player's keyboard shortcuts, and the text that tells screen reader users about them. */

/** Read with the player's region (its aria-describedby). */
export const KEY_HELP =
  'Keys: Space or K play and pause, J and L or the arrow keys skip back and forward, up and down arrows change the volume, M mutes, F is full screen, 0 to 9 jump to that tenth.';

/** The player's own actions, which the keys call. */
export interface PlayerActions {
  togglePlay(): void;
  /** Seconds forward (negative: back); nothing on a live stream. */
  skip(seconds: number): void;
  setVolume(value: number): void;
  toggleFullscreen(): void;
}

/** Listens for the shortcuts on the player's element (it has focus, or one of its controls has). */
export function bindPlayerKeys(
  element: HTMLElement,
  video: HTMLVideoElement,
  live: boolean,
  actions: PlayerActions,
): void {
  element.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    // Form controls keep their own keys (a slider's arrows, a menu's letters).
    if (target.matches('input, select, textarea') || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    let handled = true;
    if (key === ' ' || key === 'k' || key === 'K') {
      if (target.matches('button') && key === ' ') return;
      actions.togglePlay();
    } else if (key === 'ArrowLeft' || key === 'j' || key === 'J')
      actions.skip(key === 'ArrowLeft' ? -5 : -10);
    else if (key === 'ArrowRight' || key === 'l' || key === 'L') actions.skip(key === 'ArrowRight' ? 5 : 10);
    else if (key === 'ArrowUp') actions.setVolume(video.volume + 0.1);
    else if (key === 'ArrowDown') actions.setVolume(video.volume - 0.1);
    else if (key === 'm' || key === 'M') video.muted = !video.muted;
    else if (key === 'f' || key === 'F') actions.toggleFullscreen();
    else if (/^[0-9]$/.test(key) && !live && Number.isFinite(video.duration)) {
      video.currentTime = (video.duration * Number(key)) / 10;
    } else handled = false;
    if (handled) event.preventDefault();
  });
}
