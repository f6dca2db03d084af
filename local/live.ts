/**
 * Live on the local platform: the local IVS (API, RTMP ingest, live HLS, recordings, events) with what the
 * CDK app deploys around it in the cloud — the recording configuration (lambdas/contract/live-settings.ts) writing to the
 * recordings bucket, and a playback key pair whose private key is kept in the emulator's Secrets Manager and
 * whose public key IVS imports — and the environment the live functions get.
 */
import {
  CreateRecordingConfigurationCommand,
  ImportPlaybackKeyPairCommand,
  IvsClient,
} from '@aws-sdk/client-ivs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DeploymentValues } from '#contract/environment.ts';
import { liveRecording } from '#contract/live-settings.ts';
import { makeKeyPairInSecret } from './deploy-time-key-pair.ts';
import { emulatorClientConfig } from './emulator-clients.ts';
import type { BusEvent } from './event-bus.ts';
import { type RunningIvsEmulator, startIvsEmulator } from './ivs/index.ts';

/** The local origin serves live HLS here (the emulator's "playback domain"). */
export const LIVE_PLAYBACK_PATH = '/ivs/playback/';

export interface LocalLive {
  ivs: RunningIvsEmulator;
  /** The live settings functions get (the contract's `functionEnvironment` names them). */
  values: NonNullable<DeploymentValues['live']>;
}

export async function startLocalLive(options: {
  /** moto: S3 for recordings, Secrets Manager for the playback key. */
  endpoint: string;
  region: string;
  accountId: string;
  application: string;
  recordingsBucket: string;
  /** The local origin, e.g. http://127.0.0.1:3000. */
  originUrl: string;
  rtmpPort: number;
  publish(event: BusEvent): Promise<void>;
}): Promise<LocalLive> {
  const ivs = await startIvsEmulator({
    s3: { endpoint: options.endpoint, region: options.region },
    publish: options.publish,
    accountId: options.accountId,
    rtmpPort: options.rtmpPort,
    playbackBaseUrl: `${options.originUrl}${LIVE_PLAYBACK_PATH.slice(0, -1)}`,
  });
  const client = new IvsClient(emulatorClientConfig({ endpoint: ivs.endpoint, region: options.region }));
  const secrets = new SecretsManagerClient(emulatorClientConfig(options));
  try {
    const { recordingConfiguration } = await client.send(
      new CreateRecordingConfigurationCommand({
        name: `${options.application}-recording`,
        destinationConfiguration: { s3: { bucketName: options.recordingsBucket } },
        thumbnailConfiguration: {
          recordingMode: 'INTERVAL',
          targetIntervalSeconds: liveRecording.thumbnailIntervalSeconds,
        },
        recordingReconnectWindowSeconds: liveRecording.reconnectWindowSeconds,
      }),
    );
    if (!recordingConfiguration?.arn) throw new Error('The local IVS created no recording configuration');
    // As the deploy does: the secret, then the deploy's own key-pair code puts a fresh ES384 private key in it;
    // the public half goes to IVS.
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: `${options.application}-ivs-playback-key`,
        Description: 'ES384 private key that signs IVS playback tokens for private channels',
      }),
    );
    if (!secret.ARN) throw new Error('The emulator created no playback key secret');
    await client.send(
      new ImportPlaybackKeyPairCommand({
        name: `${options.application}-playback`,
        publicKeyMaterial: await makeKeyPairInSecret(
          { endpoint: options.endpoint, region: options.region },
          secret.ARN,
          'EC-P384',
        ),
      }),
    );
    return {
      ivs,
      values: {
        recordingConfigurationArn: recordingConfiguration.arn,
        keySecretArn: secret.ARN,
        // Locally the ingest is plain RTMP on RTMP_PORT; in AWS it is RTMPS on 443.
        ingestUrlTemplate: `rtmp://{ingestEndpoint}:${ivs.rtmpPort}/app/`,
      },
    };
  } catch (error) {
    await ivs.stop();
    throw error;
  } finally {
    client.destroy();
    secrets.destroy();
  }
}
