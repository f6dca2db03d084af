/**
 * Live interactivity in a real browser (headless Chromium, hls.js) against the local platform: a viewer meets
 * the stream's disclaimer before it plays, reacts, and sees reactions float over the video and the creator's
 * news flash in the lower third, both arriving in-band (ID3 cues in the live segments, raised by hls.js at
 * their moment of the video). The creator posts the announcement from the studio's live tools, marks an uploaded
 * video as a sponsor creative and starts an ad break: the viewer's player shows the creative with a countdown
 * over the paused stream, then goes back to the live edge. Console errors fail the test.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningPlatform, startPlatform } from '../../../local/platform.ts';
import { uploadFile, waitForVideo } from '../../../scripts/uploader.ts';
import { ensureWebBuild } from '../../../scripts/web-build.ts';
import { eventually, type Publisher, publishTestPattern } from '../../support/publisher.ts';
import { callApi, fetchJson, newSignedInUser, type SignedInUser, type WebConfig } from '../support/client.ts';
import { launchChromium, openPage, screenshots, VIEWPORTS } from './browser.ts';

/** The web app's session for a user signed in over HTTP, as the app itself stores it after signing in. */
function sessionScript(user: SignedInUser): string {
  const payload = JSON.parse(
    Buffer.from(user.tokens.AccessToken.split('.')[1] as string, 'base64url').toString(),
  );
  const session = {
    email: user.email,
    userId: payload.sub,
    accessToken: user.tokens.AccessToken,
    refreshToken: user.tokens.RefreshToken,
    expiresAt: Date.now() + 50 * 60 * 1000,
  };
  return `localStorage.setItem('skycast.session', ${JSON.stringify(JSON.stringify(session))});`;
}

describe('live interactivity in Chromium', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let browser: Browser;
  let viewer: { context: BrowserContext; page: Page; errors: string[] };
  let creator: { context: BrowserContext; page: Page; errors: string[] };
  let alice: SignedInUser;
  let bob: SignedInUser;
  let streamId: string;
  let publisher: Publisher | undefined;
  let creativeId: string;
  const work = mkdtempSync(join(tmpdir(), 'skycast-e2e-ads-'));

  const signedInPage = async (user: SignedInUser) => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, baseURL: platform.url });
    await context.addInitScript(sessionScript(user));
    return { context, ...(await openPage(context)) };
  };
  const noConsoleErrors = (errors: string[]) => {
    const found = errors.splice(0);
    assert.deepEqual(found, [], `the page logged errors:\n${found.join('\n')}`);
  };

  before(async () => {
    ensureWebBuild();
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    alice = await newSignedInUser(platform.url, config);
    bob = await newSignedInUser(platform.url, config);
    // The creative: a short public video of the creator's, uploaded and transcoded before the stream starts.
    const file = join(work, 'sponsor.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi'],
      ...['-i', 'sine=frequency=880:sample_rate=48000', '-t', '8', '-c:v', 'libx264', '-preset', 'ultrafast'],
      ...['-c:a', 'aac', '-pix_fmt', 'yuv420p', file],
    ]);
    const client = { apiUrl: config.apiUrl, accessToken: alice.tokens.AccessToken };
    ({ videoId: creativeId } = await uploadFile(client, file, {
      title: 'Sponsor spot',
      visibility: 'public',
    }));
    browser = await launchChromium();
    viewer = await signedInPage(bob);
    creator = await signedInPage(alice);
  });
  after(async () => {
    await publisher?.stop();
    await browser?.close();
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('sets up a stream with a disclaimer in the studio, and goes live', async () => {
    const { page } = creator;
    await page.goto('/studio');
    await page.getByLabel('Stream title', { exact: true }).fill('Interactive test card');
    await page.getByLabel('Disclaimer before viewers watch (optional)').fill('Contains flashing lights');
    await page.getByRole('button', { name: 'Set up stream' }).click();
    const key = page.getByLabel('Stream key', { exact: true });
    await key.waitFor();
    const server = await page.getByLabel('Server', { exact: true }).inputValue();
    await page.getByRole('button', { name: 'Show' }).click();
    const streamKey = await key.inputValue();
    publisher = publishTestPattern(`${server}${streamKey}`, { seconds: 150, size: '640x360' });
    await page.locator('.live-status[data-status="LIVE"]').waitFor({ timeout: 60_000 });
    // The studio remembers the stream it set up, per user.
    const remembered = await page.evaluate(() => JSON.parse(localStorage.getItem('skycast.stream') ?? '{}'));
    streamId = Object.values(remembered as Record<string, string>)[0] ?? '';
    assert.ok(streamId, 'the studio remembers the stream');
    noConsoleErrors(creator.errors);
  });

  it('shows the disclaimer before the stream plays, and plays once the viewer goes on', async () => {
    const { page } = viewer;
    await page.goto(`/watch/live/${streamId}`);
    const gate = page.getByRole('dialog', { name: 'Before you watch' });
    await gate.waitFor({ timeout: 30_000 });
    assert.match(await gate.innerText(), /Contains flashing lights/);
    assert.equal(await page.locator('video').count(), 0, 'nothing plays before the disclaimer is dismissed');
    await screenshots(page, 'live-disclaimer');
    await page.getByRole('button', { name: 'Continue to the video' }).click();
    await page.waitForFunction(
      () => {
        const video = document.querySelector('video');
        return video !== null && video.currentTime > 1;
      },
      undefined,
      { timeout: 60_000 },
    );
    noConsoleErrors(viewer.errors);
  });

  it('floats reactions in-band over the video and keeps the tally', async () => {
    const { page } = viewer;
    await page.getByRole('button', { name: 'Love (send a reaction)' }).click();
    await page.getByRole('button', { name: 'Fire (send a reaction)' }).click();
    // Someone else reacts too: everyone's reactions reach every viewer.
    const other = await callApi(config, 'POST', `/streams/${streamId}/reactions`, {
      token: alice.tokens.AccessToken,
      body: { reaction: 'clap' },
    });
    assert.equal(other.status, 202);
    await page
      .locator('.reaction-bubble[data-reaction="clap"]')
      .first()
      .waitFor({ state: 'attached', timeout: 30_000 });
    await page.waitForFunction(
      () =>
        ['heart', 'fire', 'clap'].every(
          (reaction) =>
            document.querySelector(`.reaction-button[data-reaction="${reaction}"] .reaction-count`)
              ?.textContent === '1',
        ),
      undefined,
      { timeout: 30_000 },
    );
    await screenshots(page, 'live-reactions');
    noConsoleErrors(viewer.errors);
  });

  it('shows the news flash the creator posts from the studio, in the lower third', async () => {
    await creator.page.getByLabel('Text', { exact: true }).fill('Guest joins at 9 — stay tuned');
    await creator.page.getByLabel('Seconds on screen').fill('30');
    await creator.page.getByRole('button', { name: 'Post announcement' }).click();
    // The form empties once the announcement is posted.
    await creator.page.waitForFunction(
      () => (document.getElementById('announcement-text') as HTMLInputElement | null)?.value === '',
    );
    await screenshots(creator.page, 'studio-live-tools');

    const lowerThird = viewer.page.locator('.lower-third');
    await lowerThird.waitFor({ timeout: 30_000 });
    assert.match(await lowerThird.innerText(), /Guest joins at 9 — stay tuned/);
    await screenshots(viewer.page, 'live-news-flash');

    // A viewer who joins while it lasts gets it from watchStream.
    const late = await eventually('watchStream to show the announcement', async () => {
      const { body } = await callApi(config, 'GET', `/streams/${streamId}`, {
        token: bob.tokens.AccessToken,
      });
      return body.announcement;
    });
    assert.equal(late.text, 'Guest joins at 9 — stay tuned');
    noConsoleErrors(viewer.errors);
    noConsoleErrors(creator.errors);
  });

  it('plays an ad break the creator starts: the creative with a countdown, then back to the live stream', async () => {
    const client = { apiUrl: config.apiUrl, accessToken: alice.tokens.AccessToken };
    const creative = await waitForVideo(client, creativeId, { timeoutMs: 120_000 });
    assert.equal(creative.status, 'READY');
    const { page } = creator;
    await page.goto('/studio');
    await page
      .getByRole('button', { name: 'Sponsor creative: Sponsor spot may play in your live ad breaks' })
      .click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('button[aria-pressed="true"]')].some((button) =>
        button.getAttribute('aria-label')?.startsWith('Sponsor creative: Sponsor spot'),
      ),
    );
    // The ad tools read the creatives when they appear: a reload shows the one just marked.
    await page.goto('/studio');
    const tools = page.getByRole('form', { name: 'Ad break' });
    await tools.waitFor({ timeout: 30_000 });
    await tools.getByLabel('Creative').selectOption({ label: 'Sponsor spot' });
    await tools.getByLabel('Length in seconds').fill('6');
    await tools.getByRole('button', { name: 'Start ad break' }).click();

    const viewerPage = viewer.page;
    const adBreak = viewerPage.getByRole('region', { name: 'Ad break' });
    await adBreak.waitFor({ timeout: 30_000 });
    assert.match(await adBreak.innerText(), /Back to the live stream in \d+ s/);
    await viewerPage.waitForFunction(
      () => {
        const ad = document.querySelector('.ad-break video') as HTMLVideoElement | null;
        const live = document.querySelector('.player video') as HTMLVideoElement | null;
        return ad !== null && ad.currentTime > 0.5 && live?.paused;
      },
      undefined,
      { timeout: 30_000 },
    );
    assert.ok(
      await viewerPage.getByRole('button', { name: 'Love (send a reaction)' }).isDisabled(),
      'no reactions while the ad plays',
    );
    await screenshots(viewerPage, 'live-ad-break');
    await adBreak.waitFor({ state: 'detached', timeout: 30_000 });
    const resumedAt = await viewerPage.evaluate(
      () => (document.querySelector('video') as HTMLVideoElement).currentTime,
    );
    await viewerPage.waitForFunction(
      (from) => {
        const live = document.querySelector('video') as HTMLVideoElement;
        return !live.paused && live.currentTime > from + 1;
      },
      resumedAt,
      { timeout: 30_000 },
    );
    noConsoleErrors(viewer.errors);
    noConsoleErrors(creator.errors);
  });

  it("shows a video's disclaimer before it plays, and plays it once the viewer goes on", async () => {
    const client = { apiUrl: config.apiUrl, accessToken: alice.tokens.AccessToken };
    const set = await callApi(config, 'PATCH', `/videos/${creativeId}`, {
      token: client.accessToken,
      body: { disclaimer: 'Loud noises' },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const { page } = viewer;
    await page.goto(`/watch/video/${creativeId}`);
    const gate = page.getByRole('dialog', { name: 'Before you watch' });
    await gate.waitFor({ timeout: 30_000 });
    assert.match(await gate.innerText(), /Loud noises/);
    assert.equal(await page.locator('video').count(), 0, 'nothing plays before the disclaimer is dismissed');
    await page.getByRole('button', { name: 'Continue to the video' }).click();
    await page.waitForFunction(
      () => {
        const video = document.querySelector('video');
        return video !== null && video.currentTime > 0.5;
      },
      undefined,
      { timeout: 30_000 },
    );
    // Dismissed once per session: the next visit plays at once.
    await page.reload();
    await page.locator('video').waitFor({ timeout: 30_000 });
    assert.equal(await gate.count(), 0);
    noConsoleErrors(viewer.errors);
  });
});
