#!/usr/bin/env node
/**
 * The Skycast CDK app: `npx cdk synth|deploy -c stage=dev|prod` (default dev). See lib/shared/settings.ts
 * for the other context settings.
 */
import { App } from 'aws-cdk-lib';
import { addSkycast, applyCdkNag } from '../lib/app.ts';
import { settingsFromContext } from '../lib/shared/settings.ts';

const app = new App();
addSkycast(app, settingsFromContext(app.node));
applyCdkNag(app);
app.synth();
