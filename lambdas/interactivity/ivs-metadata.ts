import {
  ChannelNotBroadcasting,
  type IvsClient,
  PutMetadataCommand,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-ivs';
import type { InBandChannel, InBandResult } from './ports.ts';

/**
 * In-band metadata on IVS: PutMetadata puts the payload into the channel's stream as ID3 timed metadata.
 * IVS answers ThrottlingException over 5 calls per second per channel (or 155 per account) and
 * ChannelNotBroadcasting when nothing is on air; a channel deleted meanwhile is not broadcasting either.
 */
export class IvsInBandChannel implements InBandChannel {
  constructor(private readonly ivs: IvsClient) {}

  async put(channelArn: string, payload: string): Promise<InBandResult> {
    try {
      await this.ivs.send(new PutMetadataCommand({ channelArn, metadata: payload }));
      return 'delivered';
    } catch (error) {
      if (error instanceof ThrottlingException) return 'throttled';
      if (error instanceof ChannelNotBroadcasting || error instanceof ResourceNotFoundException)
        return 'notBroadcasting';
      throw error;
    }
  }
}
