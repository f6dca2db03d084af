import type { RemovalPolicy } from 'aws-cdk-lib';
import { CfnPlaybackKeyPair, CfnRecordingConfiguration } from 'aws-cdk-lib/aws-ivs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { liveRecording } from '#contract/live-settings.ts';
import { DeployTimeKeyPair } from '../shared/deploy-time-key-pair.ts';

/** Props of {@link Live}. */
export interface LiveProps {
  /** Where IVS records every channel. */
  recordingsBucket: IBucket;
  /** Prefix of the resources' names (`skycast-<stage>`). */
  application: string;
  /** What happens to the playback key's secret when the stack goes. */
  removalPolicy: RemovalPolicy;
  /**
   * A thumbnail every this many seconds.
   * @default liveRecording.thumbnailIntervalSeconds (lambdas/contract/live-settings.ts)
   */
  thumbnailIntervalSeconds?: number;
  /**
   * A reconnect within this many seconds continues the same recording.
   * @default liveRecording.reconnectWindowSeconds (lambdas/contract/live-settings.ts)
   */
  reconnectWindowSeconds?: number;
}

/**
 * The stateful side of live: the recording configuration every channel is created with (to the recordings
 * bucket, thumbnails at an interval, a reconnect window so a short drop does not split a recording), and the
 * playback key pair that private channels' tokens are signed with. The key pair is made at deploy by a small
 * custom resource: its private half goes into a Secrets Manager secret, the public half into an
 * AWS::IVS::PlaybackKeyPair. Channels themselves are created by startStream, one per creator.
 */
export class Live extends Construct {
  readonly recordingConfiguration: CfnRecordingConfiguration;
  /** The PKCS#8 PEM private key, read by the functions that sign playback tokens. */
  readonly playbackKeySecret: ISecret;
  readonly playbackKeyPair: CfnPlaybackKeyPair;

  constructor(scope: Construct, id: string, props: LiveProps) {
    super(scope, id);

    this.recordingConfiguration = new CfnRecordingConfiguration(this, 'Recording', {
      name: `${props.application}-recording`,
      destinationConfiguration: { s3: { bucketName: props.recordingsBucket.bucketName } },
      thumbnailConfiguration: {
        recordingMode: 'INTERVAL',
        targetIntervalSeconds: props.thumbnailIntervalSeconds ?? liveRecording.thumbnailIntervalSeconds,
        // SEQUENTIAL: every thumbnail (scrubbing, the poster); LATEST: the newest for a live preview.
        storage: ['SEQUENTIAL', 'LATEST'],
      },
      recordingReconnectWindowSeconds: props.reconnectWindowSeconds ?? liveRecording.reconnectWindowSeconds,
      renditionConfiguration: { renditionSelection: 'ALL' },
    });

    const key = new DeployTimeKeyPair(this, 'PlaybackKey', {
      algorithm: 'EC-P384',
      purpose: 'IVS playback tokens for private channels (ES384)',
      serviceName: 'skycast-live',
      removalPolicy: props.removalPolicy,
    });
    this.playbackKeySecret = key.secret;
    this.playbackKeyPair = new CfnPlaybackKeyPair(this, 'PlaybackKeyPair', {
      name: `${props.application}-playback`,
      publicKeyMaterial: key.publicKeyPem,
    });
  }
}
