#!/usr/bin/env node
/**
 * The Skycast CDK app: `npx cdk synth|deploy -c stage=dev|prod` (default dev). See lib/shared/settings.ts
 * for the other context settings.
 */
import { App } from 'aws-cdk-lib';
import { addSkycast, applyCdkNag } from '../lib/app.ts';
import { settingsFromContext } from '../lib/shared/settings.ts';
import { ensureWebBuild } from '../scripts/web-build.ts';

const app = new App();
// The deployed web app is web/dist unless -c webAssets names another folder: build it when it is stale.
if (app.node.tryGetContext('webAssets') === undefined) ensureWebBuild((line) => console.error(line));
addSkycast(app, settingsFromContext(app.node));
applyCdkNag(app);
app.synth();
