/**
 * What the IVS API creates and the rest of the local IVS reads: channels, stream keys, recording
 * configurations and playback key pairs, kept in memory by ARN for as long as the emulator runs.
 */
import type { KeyObject } from 'node:crypto';
import { notFoundError, validationError } from './errors.ts';

export type Tags = Record<string, string>;

export interface Channel {
  arn: string;
  id: string;
  name: string;
  latencyMode: 'LOW' | 'NORMAL';
  type: string;
  authorized: boolean;
  insecureIngest: boolean;
  recordingConfigurationArn: string;
  playbackRestrictionPolicyArn: string;
  preset: string;
  containerFormat: string;
  ingestEndpoint: string;
  playbackUrl: string;
  tags: Tags;
}

export interface StreamKey {
  arn: string;
  value: string;
  channelArn: string;
  tags: Tags;
}

export interface RecordingConfiguration {
  arn: string;
  name: string;
  destinationConfiguration: { s3: { bucketName: string } };
  state: 'ACTIVE';
  recordingReconnectWindowSeconds: number;
  thumbnailConfiguration: {
    recordingMode: 'INTERVAL' | 'DISABLED';
    targetIntervalSeconds: number;
    resolution?: string;
    storage?: string[];
  };
  renditionConfiguration: { renditionSelection: string; renditions?: string[] };
  tags: Tags;
}

export interface PlaybackKeyPair {
  arn: string;
  name: string;
  fingerprint: string;
  tags: Tags;
  publicKey: KeyObject;
}

/** A string field of an API call's input; `optional` lets it be absent (then undefined). */
export const stringField = (value: unknown, field: string, optional = false): string | undefined => {
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw validationError(`${field} is required.`);
  }
  if (typeof value !== 'string') throw validationError(`${field} must be a string.`);
  return value;
};

/** The IVS resources of one account and region, by ARN. */
export class IvsResources {
  readonly channels = new Map<string, Channel>();
  readonly streamKeys = new Map<string, StreamKey>();
  readonly recordingConfigurations = new Map<string, RecordingConfiguration>();
  readonly keyPairs = new Map<string, PlaybackKeyPair>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** The ARN IVS gives a resource of `kind` (`channel`, `stream-key`, …) with this id. */
  arn(kind: string, id: string): string {
    return `arn:aws:ivs:${this.region}:${this.accountId}:${kind}/${id}`;
  }

  /** The channel an API call names; 404 when there is none. */
  channel(arn: unknown): Channel {
    const found = this.channels.get(stringField(arn, 'arn') as string);
    if (!found) throw notFoundError(`Channel ${String(arn)} does not exist.`);
    return found;
  }

  /** The stream key an API call names; 404 when there is none. */
  streamKey(arn: unknown): StreamKey {
    const found = this.streamKeys.get(stringField(arn, 'arn') as string);
    if (!found) throw notFoundError(`Stream key ${String(arn)} does not exist.`);
    return found;
  }

  /** The channel a publisher's stream key belongs to, if the key is one of ours. */
  channelOfStreamKey(value: string): Channel | undefined {
    const key = [...this.streamKeys.values()].find((candidate) => candidate.value === value);
    return key ? this.channels.get(key.channelArn) : undefined;
  }

  /** The recording configuration a channel records with, if any. */
  recordingConfigurationOf(channel: Channel): RecordingConfiguration | undefined {
    return this.recordingConfigurations.get(channel.recordingConfigurationArn);
  }

  /** The public keys of every imported playback key pair: a private channel's tokens are signed by one. */
  playbackPublicKeys(): KeyObject[] {
    return [...this.keyPairs.values()].map((pair) => pair.publicKey);
  }
}
