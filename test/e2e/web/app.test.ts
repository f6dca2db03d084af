/**
 * The web app in a real browser (headless Chromium) against the local platform: what a new user does, from
 * signing up to watching their upload, cutting a clip and going live with ffmpeg. Console errors fail the test.
 * Live and clip steps run when the API offers startStream / createClip (by /openapi.json), and say so otherwise.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { type RunningPlatform, startPlatform } from '../../../local/platform.ts';
import { ensureWebBuild } from '../../../scripts/web-build.ts';
import { fetchJson, latestCode, newEmail, strongPassword } from '../support/client.ts';
import { launchChromium, openPage, screenshots, VIEWPORTS } from './browser.ts';

/**
 * Records every value the upload progress bar is given, as the user sees it, in `window.progressSeen`.
 * A string, not a function: tsx would add helpers to a function that the page does not have.
 */
const RECORD_PROGRESS = `{
  const seen = [];
  window.progressSeen = seen;
  const bar = document.getElementById('upload-progress');
  const original = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value');
  Object.defineProperty(bar, 'value', {
    get() { return original.get.call(bar); },
    set(value) { seen.push(value); original.set.call(bar, value); },
  });
  const numbers = document.getElementById('upload-numbers');
  window.numbersSeen = [];
  new MutationObserver(() => window.numbersSeen.push(numbers.textContent)).observe(numbers, { childList: true, characterData: true, subtree: true });
}`;

/** Form controls and buttons on the page with no accessible name (label, aria-label(ledby) or text). */
const UNNAMED_CONTROLS = `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')]
  .filter((element) => element.offsetParent !== null || element.getClientRects().length > 0)
  .filter((element) => {
    const labelled = element.labels && element.labels.length > 0;
    const aria = element.getAttribute('aria-label') || element.getAttribute('aria-labelledby');
    const text = element.textContent.trim();
    return !(labelled || aria || text);
  })
  .map((element) => element.outerHTML.slice(0, 120))`;

/** The first page's JavaScript budget, gzipped (the players load later, on the watch page). */
const FIRST_PAGE_JS_BUDGET = 200 * 1024;

/** Waits until a lazy poster image is in view and has loaded: decoded, with a real size. */
async function posterLoaded(poster: Locator): Promise<void> {
  await poster.scrollIntoViewIfNeeded();
  const handle = await poster.elementHandle();
  assert.ok(handle, 'no poster image');
  // Settles on load or error (a failed poster removes itself), or after 15 s; the size says which.
  await handle.evaluate(async (img: HTMLImageElement) => {
    if (img.complete) return;
    await new Promise((done) => {
      img.addEventListener('load', done, { once: true });
      img.addEventListener('error', done, { once: true });
      setTimeout(done, 15_000);
    });
  });
  const size = await handle.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(
    size.every((pixels) => pixels > 0),
    `the poster did not load: ${size.join('×')}`,
  );
}

describe('the web app in Chromium', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let operations: Set<string>;
  const work = mkdtempSync(join(tmpdir(), 'skycast-e2e-web-'));
  const email = newEmail('creator');
  const password = strongPassword();
  let videoId: string | undefined;
  let publisher: ChildProcess | undefined;

  /** Fails the running test if the page logged an error since the last check. */
  const noConsoleErrors = () => {
    const found = errors.splice(0);
    assert.deepEqual(found, [], `the page logged errors:\n${found.join('\n')}`);
  };

  /** Skips a step whose API is not on this server yet, saying so in the test output. */
  const needs = (t: TestContext, operationId: string): boolean => {
    if (operations.has(operationId)) return true;
    t.diagnostic(`skipped: the API does not offer ${operationId} yet (not in /openapi.json)`);
    t.skip(`the API does not offer ${operationId} yet`);
    return false;
  };

  before(async () => {
    ensureWebBuild();
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    const openApi = (await fetchJson(`${platform.url}/openapi.json`)).body;
    operations = new Set(
      Object.values(openApi.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
        (methods) => Object.values(methods).map((operation) => operation.operationId),
      ),
    );
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORTS.desktop, baseURL: platform.url });
    ({ page, errors } = await openPage(context));
  });

  after(async () => {
    publisher?.kill('SIGKILL');
    await browser?.close();
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('loads the first page with at most 200 KB of JavaScript, gzipped', async () => {
    const scripts = new Map<string, number>();
    const listener = async (response: import('playwright-core').Response) => {
      if (response.request().resourceType() !== 'script') return;
      scripts.set(response.url(), gzipSync(await response.body()).length);
    };
    page.on('response', listener);
    await page.goto('/', { waitUntil: 'networkidle' });
    page.off('response', listener);
    await page.getByRole('heading', { level: 1, name: 'Live and on-demand video' }).waitFor();
    const total = [...scripts.values()].reduce((sum, size) => sum + size, 0);
    console.log(`first page JavaScript: ${scripts.size} files, ${(total / 1024).toFixed(1)} KB gzipped`);
    assert.ok(scripts.size > 0, 'the first page loaded no JavaScript');
    assert.ok(total <= FIRST_PAGE_JS_BUDGET, `${total} B of gzipped JavaScript is over the budget`);
    assert.ok(
      [...scripts.keys()].every((url) => !/hls|ivs|dist-/.test(url)),
      `a player loaded on the first page: ${[...scripts.keys()].join(', ')}`,
    );
    await screenshots(page, 'home-signed-out');
    noConsoleErrors();
  });

  it('signs up, confirms with the code from the outbox and signs in', async () => {
    await page.getByRole('link', { name: 'Create an account' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
    await screenshots(page, 'sign-up');
    await page.getByLabel('E-mail', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { level: 1, name: 'Confirm your e-mail' }).waitFor();
    assert.equal(await page.getByLabel('E-mail', { exact: true }).inputValue(), email);
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(platform.url, email));
    await page.getByRole('button', { name: 'Confirm' }).click();

    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.getByRole('link', { name: 'Studio' }).waitFor();
    await screenshots(page, 'home');
    noConsoleErrors();
  });

  it('stays signed in across a reload, refreshing an expired access token', async () => {
    // The access token "expires": the next API call must refresh it with the refresh token first.
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('skycast.session') as string);
      localStorage.setItem('skycast.session', JSON.stringify({ ...session, expiresAt: Date.now() - 1000 }));
    });
    const refreshed = page.waitForRequest(
      (request) =>
        request.url().includes('/cognito') && (request.postData() ?? '').includes('REFRESH_TOKEN_AUTH'),
    );
    await page.goto('/account');
    await refreshed;
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    assert.ok(await page.getByText(email).isVisible());
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem('skycast.session') as string));
    assert.ok(session.expiresAt > Date.now(), 'the session was not refreshed');
    noConsoleErrors();
  });

  it('uploads a generated 10-second video with a progress bar that moves', async () => {
    // CBR with filler keeps the file at ~20 MB: several 5 MiB parts, so progress is seen between 0 and 100.
    const file = join(work, 'ten-seconds.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=10:size=1280x720:rate=30',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=10',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-b:v',
      '16M',
      '-minrate',
      '16M',
      '-maxrate',
      '16M',
      '-bufsize',
      '8M',
      '-x264-params',
      'nal-hrd=cbr:force-cfr=1',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      file,
    ]);
    await page.goto('/studio');
    await page.getByRole('heading', { level: 2, name: 'Upload a video' }).waitFor();
    await screenshots(page, 'studio');
    await page.getByLabel('Video file', { exact: true }).setInputFiles(file);
    await page.getByLabel('Title', { exact: true }).fill('Test card');
    await page.locator('#upload-visibility').selectOption('public');
    await page.evaluate(RECORD_PROGRESS);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText(/Uploaded\. “Test card” is being processed/).waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    assert.ok(
      seen.some((value) => value > 0 && value < 100),
      `the bar never showed progress: ${seen.join(', ')}`,
    );
    assert.equal(seen.at(-1), 100);
    const numbers = await page.evaluate(() => (window as unknown as { numbersSeen: string[] }).numbersSeen);
    assert.ok(
      numbers.some((text) => /\d+% · .+ of .+ · .+\/s · \d+:\d\d left/.test(text)),
      `no speed and time left shown: ${numbers.slice(0, 5).join(' | ')}`,
    );
    const row = page.locator('.video-row', { hasText: 'Test card' });
    await row.waitFor();
    videoId = (await row.getAttribute('data-video-id')) ?? undefined;
    assert.ok(videoId);
    noConsoleErrors();
  });

  it('shows the video processing, then READY, and plays it with a quality menu', async () => {
    assert.ok(videoId, 'no uploaded video');
    // Its watch page, opened right after the upload (the transcode takes several seconds): it says the video is
    // not ready yet, and plays it by itself once it is.
    await page.goto(`/watch/video/${videoId}`);
    await page.getByRole('heading', { level: 1, name: 'Test card' }).waitFor();
    await page
      .locator('.player-placeholder')
      .getByRole('status')
      .filter({ hasText: 'not ready yet' })
      .waitFor();
    await screenshots(page, 'watch-processing');
    await page.locator('.player video').waitFor({ timeout: 240_000 });
    await playsFor(page, 2);
    const qualities = await page.locator('.player-quality option').allTextContents();
    assert.ok(qualities[0]?.startsWith('Auto'), `no Auto quality: ${qualities}`);
    assert.ok(qualities.length >= 2, `no renditions in the quality menu: ${qualities}`);
    // Keyboard: K pauses, K plays again.
    await page.locator('.player').focus();
    await page.keyboard.press('k');
    await page.waitForFunction(() => (document.querySelector('.player video') as HTMLVideoElement).paused);
    await page.keyboard.press('k');
    await page.waitForFunction(() => !(document.querySelector('.player video') as HTMLVideoElement).paused);
    // A rendition chosen by hand plays on.
    const lowest = qualities.at(-1) as string;
    await page.getByLabel('Quality', { exact: true }).selectOption({ label: lowest });
    await page.locator('.player').focus();
    await page.keyboard.press('0');
    await playsFor(page, 1);
    await screenshots(page, 'watch-video');

    // My videos says it is ready, with its poster; it is public, so the home page lists it under the latest
    // videos, with its poster too: an image that loaded through its signed URL, not a placeholder.
    await page.getByRole('link', { name: 'Studio', exact: true }).click();
    const readyRow = page.locator(`.video-row[data-video-id="${videoId}"][data-status="READY"]`);
    await readyRow.waitFor();
    await posterLoaded(readyRow.locator('img.thumb-image'));
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    const card = page.getByRole('region', { name: 'Latest videos' }).locator('.card', {
      has: page.getByRole('link', { name: /Test card/ }),
    });
    await card.waitFor();
    const poster = card.locator('img.thumb-image');
    assert.deepEqual([await poster.getAttribute('alt'), await poster.getAttribute('loading')], ['', 'lazy']);
    assert.match(
      (await poster.getAttribute('src')) ?? '',
      new RegExp(`/media/videos/${videoId}/.+\\?Expires=\\d+&Key-Pair-Id=.+&Signature=`),
    );
    await posterLoaded(poster);
    await screenshots(page, 'home-posters');
    noConsoleErrors();
  });

  it('goes on after the connection drops, and resumes after a reload', async () => {
    const file = join(work, 'resumable.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=10:size=1280x720:rate=30'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '32M', '-minrate', '32M', '-maxrate', '32M'],
      ...['-bufsize', '16M', '-x264-params', 'nal-hrd=cbr', '-pix_fmt', 'yuv420p', file],
    ]);
    const cdp = await context.newCDPSession(page);
    const network = (offline: boolean) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline,
        latency: 0,
        downloadThroughput: -1,
        // About 8 MB/s up: slow enough to act mid-upload, fast enough for a test.
        uploadThroughput: offline ? -1 : 8 * 1024 * 1024,
      });
    const progressAtLeast = (percent: number) =>
      page.waitForFunction(
        (min) => Number((document.getElementById('upload-progress') as HTMLProgressElement).value) >= min,
        percent,
        { timeout: 60_000 },
      );
    await cdp.send('Network.enable');
    await network(false);
    try {
      await page.goto('/studio');
      await page.getByLabel('Video file', { exact: true }).setInputFiles(file);
      await page.getByLabel('Title', { exact: true }).fill('Resumed upload');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await progressAtLeast(15);

      // Pause: nothing moves until Resume.
      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
      // Parts in flight are abandoned (their bytes no longer count): let that settle before reading the bar.
      await page.waitForTimeout(300);
      const pausedAt = await page
        .locator('#upload-progress')
        .evaluate((bar: HTMLProgressElement) => bar.value);
      const putsWhilePaused: string[] = [];
      const onRequest = (request: import('playwright-core').Request) => {
        if (request.method() === 'PUT') putsWhilePaused.push(request.url());
      };
      page.on('request', onRequest);
      await page.waitForTimeout(1500);
      page.off('request', onRequest);
      assert.deepEqual(putsWhilePaused, [], 'parts were sent while paused');
      assert.equal(
        await page.locator('#upload-progress').evaluate((bar: HTMLProgressElement) => bar.value),
        pausedAt,
      );
      await page.getByRole('button', { name: 'Resume', exact: true }).click();
      await progressAtLeast(pausedAt + 5);

      // The connection drops: the studio says so, and goes on by itself when it is back.
      await network(true);
      await page.getByText(/The connection is lost/).waitFor();
      const stalledAt = await page
        .locator('#upload-progress')
        .evaluate((bar: HTMLProgressElement) => bar.value);
      await network(false);
      await progressAtLeast(Math.max(60, stalledAt + 1));
      // It went on by itself: no Retry asked for, and the message is gone.
      await page.getByText(/The connection is lost/).waitFor({ state: 'hidden' });
      assert.ok(await page.locator('#upload-retry').isHidden(), 'the upload stopped with an error');

      // A reload in the middle: choosing the same file again resumes where the parts stopped.
      await page.reload();
      await page.getByText('Unfinished uploads').waitFor();
      await page.evaluate(RECORD_PROGRESS);
      const partsAfterReload: string[] = [];
      const onPut = (request: import('playwright-core').Request) => {
        if (request.method() === 'PUT')
          partsAfterReload.push(new URL(request.url()).searchParams.get('partNumber') ?? '?');
      };
      page.on('request', onPut);
      await page.getByLabel('Video file', { exact: true }).setInputFiles(file);
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByText(/Uploaded\. “Resumed upload” is being processed/).waitFor({ timeout: 120_000 });
      page.off('request', onPut);
      const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
      assert.ok((seen[0] ?? 0) > 0, `the resumed upload started from 0: ${seen.join(', ')}`);
      assert.equal(seen.at(-1), 100);
      // Only the parts that had not arrived went again (5 MiB parts; at least 60 % was up before the reload).
      const partCount = Math.ceil(statSync(file).size / (5 * 1024 * 1024));
      assert.ok(
        partsAfterReload.length < partCount,
        `after the reload ${partsAfterReload.length} of ${partCount} parts were sent: ${partsAfterReload.join(', ')}`,
      );
    } finally {
      await network(false).catch(() => {});
      await cdp.detach().catch(() => {});
    }
    // Only the lost connection may have left errors: failed part uploads and Uppy's report of them.
    const unexpected = errors
      .splice(0)
      .filter(
        (error) => !/ERR_INTERNET_DISCONNECTED|connection is lost|Failed to load resource: net::/.test(error),
      );
    assert.deepEqual(unexpected, []);
    await page.locator('.video-row', { hasText: 'Resumed upload' }).waitFor();
  });

  it('makes a private video public from the studio, and it shows on the home page', async () => {
    await page.goto('/studio');
    const row = page.locator('.video-row', { hasText: 'Resumed upload' });
    await row.and(page.locator('[data-status="READY"]')).waitFor({ timeout: 180_000 });
    assert.equal(await row.getByLabel('Who can watch Resumed upload').inputValue(), 'private');

    await row.getByLabel('Who can watch Resumed upload').selectOption('public');
    await row.getByText(/· public ·/).waitFor();
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page
      .getByRole('region', { name: 'Latest videos' })
      .getByRole('link', { name: /Resumed upload/ })
      .waitFor();
    noConsoleErrors();
  });

  it('says why a video failed, and deletes it', async () => {
    const file = join(work, 'broken.mp4');
    writeFileSync(file, randomBytes(200_000));
    await page.goto('/studio');
    await page.getByLabel('Video file', { exact: true }).setInputFiles(file);
    await page.getByLabel('Title', { exact: true }).fill('Not a video');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const row = page.locator('.video-row', { hasText: 'Not a video' });
    await row.and(page.locator('[data-status="FAILED"]')).waitFor({ timeout: 120_000 });
    const reason = (await row.locator('.failure').textContent()) ?? '';
    assert.match(reason, /^Why: .{10,}/);
    const failedId = (await row.getAttribute('data-video-id')) as string;

    await page.goto(`/watch/video/${failedId}`);
    await page.getByRole('alert').filter({ hasText: 'could not be processed' }).waitFor();
    await screenshots(page, 'watch-failed');

    await page.goto('/studio');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Delete Not a video' }).click();
    await row.waitFor({ state: 'detached' });
    noConsoleErrors();
  });

  it('cuts a clip from the player, and the clip plays', async (t) => {
    if (!needs(t, 'createClip')) return;
    await page.goto(`/watch/video/${videoId}`);
    await page.getByRole('heading', { level: 2, name: 'Make a clip' }).waitFor();
    await page.getByLabel('Clip title', { exact: true }).fill('Test card, the middle');
    await page.getByLabel('In (seconds)', { exact: true }).fill('2');
    await page.getByLabel('Out (seconds)', { exact: true }).fill('6');
    await page.getByRole('button', { name: 'Make clip' }).click();
    await page.getByRole('heading', { level: 1, name: 'Test card, the middle' }).waitFor({ timeout: 30_000 });
    assert.notEqual(new URL(page.url()).pathname, `/watch/video/${videoId}`);
    await playsFor(page, 1.5);
    await screenshots(page, 'watch-clip');
    noConsoleErrors();
  });

  it('goes live with ffmpeg using the key the studio shows, plays it, and the recording becomes a video', async (t) => {
    if (!needs(t, 'startStream')) return;
    await page.goto('/studio');
    await page.getByLabel('Stream title', { exact: true }).fill('Live test card');
    await page.getByRole('button', { name: 'Set up stream' }).click();
    const key = page.getByLabel('Stream key', { exact: true });
    await key.waitFor();
    assert.equal(await key.getAttribute('type'), 'password', 'the stream key is shown before it is revealed');
    await page.getByRole('button', { name: 'Show' }).click();
    assert.equal(await key.getAttribute('type'), 'text');
    const server = await page.getByLabel('Server', { exact: true }).inputValue();
    const streamKey = await key.inputValue();
    assert.match(server, /^rtmps?:\/\//);
    assert.ok(streamKey.length > 8);
    await screenshots(page, 'studio-live');

    publisher = spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=640x360:rate=30',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-tune',
        'zerolatency',
        '-g',
        '60',
        '-b:v',
        '1M',
        '-c:a',
        'aac',
        '-ar',
        '48000',
        '-f',
        'flv',
        `${server}${streamKey}`,
      ],
      { stdio: 'ignore' },
    );
    await page.locator('.live-status[data-status="LIVE"]').waitFor({ timeout: 60_000 });
    // Home lists who is live now; the stream's card leads to its watch page.
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page
      .getByRole('region', { name: 'Live now' })
      .getByRole('link', { name: /Live test card/ })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Live test card' }).waitFor();
    await playsFor(page, 2, 60_000);
    await screenshots(page, 'watch-live');

    noConsoleErrors();
    // The stream id is the channel id, which names the stream's playback path.
    const streamId = new URL(page.url()).pathname.split('/').pop() as string;
    publisher.kill('SIGINT');
    publisher = undefined;
    await page.locator('.player-placeholder[data-status="OFFLINE"]').waitFor({ timeout: 60_000 });
    // A stream that ends takes its playlists with it: the player's next refresh of one gets a 404, which the
    // browser logs, and which is how the player learns the stream is over. That, and only that, is expected.
    const unexpected = errors
      .splice(0)
      .filter((error) => !(/status of 404 .*\.m3u8/.test(error) && error.includes(`/${streamId}/`)));
    assert.deepEqual(unexpected, [], `the page logged errors:\n${unexpected.join('\n')}`);
    await page.goto('/studio');
    // Rotating the key hands out a new one (the old one stops working: the live API's tests prove that).
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.waitForFunction(
      (old) => (document.getElementById('ingest-key') as HTMLInputElement | null)?.value !== old,
      streamKey,
    );
    const recording = page.locator('.video-row[data-status="READY"]', { hasText: 'Live recording' });
    await recording.first().waitFor({ timeout: 120_000 });
    await recording.first().getByRole('link', { name: 'Watch' }).click();
    await playsFor(page, 1);
    noConsoleErrors();
  });

  it('lays out every key page without horizontal scrolling on a phone', async () => {
    await page.setViewportSize(VIEWPORTS.phone);
    for (const path of ['/', '/studio', `/watch/video/${videoId}`, '/account']) {
      await page.goto(path);
      await page.locator('main h1').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a phone`);
      // Every control has a name a screen reader can say.
      const unnamed = await page.evaluate(UNNAMED_CONTROLS);
      assert.deepEqual(unnamed, [], `${path} has controls without a name`);
    }
    await page.setViewportSize(VIEWPORTS.desktop);
    noConsoleErrors();
  });

  it('signs out: the studio asks to sign in again, after a reload too', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.goto('/studio');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).search, '?next=%2Fstudio');
    assert.equal(await page.evaluate(() => localStorage.getItem('skycast.session')), null);
    noConsoleErrors();
  });
});

/** Waits until the page's player has played `seconds` with no player error shown. */
async function playsFor(page: Page, seconds: number, timeout = 30_000): Promise<void> {
  const video = page.locator('.player video');
  await video.waitFor({ timeout });
  const start = await video.evaluate((element: HTMLVideoElement) => element.currentTime);
  await page.waitForFunction(
    ({ from, by }) => {
      const player = document.querySelector('.player') as HTMLElement | null;
      const element = player?.querySelector('video');
      if (player?.dataset.state === 'error')
        throw new Error(player.querySelector('.player-message')?.textContent ?? 'player error');
      return element !== null && element !== undefined && element.currentTime >= from + by;
    },
    { from: start, by: seconds },
    { timeout },
  );
  const state = await page.locator('.player').getAttribute('data-state');
  assert.notEqual(state, 'error');
  // Playing along: the buffering indicator is gone.
  await page.locator('.player-spinner').waitFor({ state: 'hidden', timeout: 5000 });
}
