import type { CreateJobRequest, Output, OutputGroup } from '@aws-sdk/client-mediaconvert';
import { mediaConvertNames, s3Uri, VIDEO_OUTPUTS, videoOutputDestination } from '#contract/media-layout.ts';
import { GOP_SECONDS, type Ladder, MIN_FINAL_SEGMENT_SECONDS, SEGMENT_SECONDS } from './ladder.ts';

/**
 * What a transcode writes, shared by MediaConvert's settings and the completion handler: each group's folder
 * and base name (the media layout's) and the frame captures' size and rate.
 */
export const OUTPUT_NAMES = {
  hls: VIDEO_OUTPUTS.hls,
  thumbnails: { ...VIDEO_OUTPUTS.thumbnails, everySeconds: 5, width: 320 },
  poster: { ...VIDEO_OUTPUTS.poster, width: 1280 },
} as const;

export interface TranscodeJobInput {
  /** This deployment's name (e.g. `skycast-prod`): job events carry it, and the event rule matches on it. */
  application: string;
  videoId: string;
  ownerId: string;
  /** `s3://bucket/key` of the uploaded original. */
  source: string;
  mediaBucket: string;
  /** The IAM role MediaConvert assumes to read the source and write outputs. */
  roleArn: string;
  ladder: Ladder;
}

const AUDIO_SELECTOR = 'Audio Selector 1';

function videoOutput(rendition: Ladder['renditions'][number], ladder: Ladder): Output {
  return {
    NameModifier: mediaConvertNames.renditionModifier(rendition.name),
    ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
    VideoDescription: {
      Width: rendition.width,
      Height: rendition.height,
      ScalingBehavior: 'DEFAULT',
      Sharpness: 50,
      CodecSettings: {
        Codec: 'H_264',
        H264Settings: {
          RateControlMode: 'QVBR',
          QvbrSettings: { QvbrQualityLevel: rendition.quality },
          MaxBitrate: rendition.maxBitrate,
          CodecProfile: rendition.profile,
          CodecLevel: 'AUTO',
          GopSize: GOP_SECONDS,
          GopSizeUnits: 'SECONDS',
          // Closed GOPs at fixed times in every rendition: segment boundaries line up, so players switch cleanly.
          GopClosedCadence: 1,
          SceneChangeDetect: 'TRANSITION_DETECTION',
          NumberBFramesBetweenReferenceFrames: 2,
          FramerateControl: 'INITIALIZE_FROM_SOURCE',
          QualityTuningLevel: 'SINGLE_PASS_HQ',
          AdaptiveQuantization: 'AUTO',
        },
      },
    },
    ...(ladder.audio ? { AudioDescriptions: [audioDescription(ladder.audio)] } : {}),
    OutputSettings: { HlsSettings: {} },
  };
}

function audioDescription(audio: NonNullable<Ladder['audio']>) {
  return {
    AudioSourceName: AUDIO_SELECTOR,
    CodecSettings: {
      Codec: 'AAC' as const,
      AacSettings: {
        Bitrate: audio.bitrate,
        SampleRate: audio.sampleRate,
        CodingMode: 'CODING_MODE_2_0' as const,
        CodecProfile: 'LC' as const,
        RateControlMode: 'CBR' as const,
      },
    },
  };
}

function hlsGroup(input: TranscodeJobInput): OutputGroup {
  const { ladder } = input;
  const outputs: Output[] =
    ladder.renditions.length > 0
      ? ladder.renditions.map((rendition) => videoOutput(rendition, ladder))
      : // An audio-only source becomes an audio-only HLS stream.
        [
          {
            NameModifier: mediaConvertNames.renditionModifier('audio'),
            ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
            AudioDescriptions: ladder.audio ? [audioDescription(ladder.audio)] : [],
            OutputSettings: { HlsSettings: {} },
          },
        ];
  return {
    Name: 'HLS',
    OutputGroupSettings: {
      Type: 'HLS_GROUP_SETTINGS',
      HlsGroupSettings: {
        Destination: s3Uri(input.mediaBucket, videoOutputDestination(input.videoId, 'hls')),
        SegmentLength: SEGMENT_SECONDS,
        MinSegmentLength: 0,
        MinFinalSegmentLength: MIN_FINAL_SEGMENT_SECONDS,
        SegmentControl: 'SEGMENTED_FILES',
        ManifestDurationFormat: 'FLOATING_POINT',
        OutputSelection: 'MANIFESTS_AND_SEGMENTS',
        DirectoryStructure: 'SINGLE_DIRECTORY',
        CodecSpecification: 'RFC_6381',
        ClientCache: 'ENABLED',
        ProgramDateTime: 'EXCLUDE',
      },
    },
    Outputs: outputs,
  };
}

function frameCaptureGroup(
  input: TranscodeJobInput,
  name: 'thumbnails' | 'poster',
  width: number,
  everySeconds: number,
  maxCaptures: number,
): OutputGroup {
  const top = input.ladder.renditions[0];
  if (!top) throw new Error('frame captures need a video rendition');
  const captureWidth = Math.min(width, top.width);
  const captureHeight = Math.max(2, Math.floor((top.height * captureWidth) / top.width / 2) * 2);
  return {
    Name: name,
    OutputGroupSettings: {
      Type: 'FILE_GROUP_SETTINGS',
      FileGroupSettings: {
        Destination: s3Uri(input.mediaBucket, videoOutputDestination(input.videoId, name)),
      },
    },
    Outputs: [
      {
        ContainerSettings: { Container: 'RAW' },
        VideoDescription: {
          Width: captureWidth,
          Height: captureHeight,
          CodecSettings: {
            Codec: 'FRAME_CAPTURE',
            FrameCaptureSettings: {
              FramerateNumerator: 1,
              FramerateDenominator: everySeconds,
              MaxCaptures: maxCaptures,
              Quality: 80,
            },
          },
        },
      },
    ],
  };
}

/**
 * The MediaConvert CreateJob request for one upload, built from the ladder: an HLS group with every
 * rendition, plus thumbnails for scrubbing and a poster when there is a picture.
 */
export function buildTranscodeJob(input: TranscodeJobInput): CreateJobRequest {
  const { ladder } = input;
  const hasVideo = ladder.renditions.length > 0;
  const groups = [hlsGroup(input)];
  if (hasVideo) {
    const { thumbnails, poster } = OUTPUT_NAMES;
    groups.push(frameCaptureGroup(input, 'thumbnails', thumbnails.width, thumbnails.everySeconds, 1000));
    // Two captures, 3 s apart: the completion handler uses the second, past any fade-in from black.
    groups.push(frameCaptureGroup(input, 'poster', poster.width, 3, 2));
  }
  return {
    Role: input.roleArn,
    UserMetadata: { application: input.application, videoId: input.videoId, ownerId: input.ownerId },
    StatusUpdateInterval: 'SECONDS_10',
    Settings: {
      TimecodeConfig: { Source: 'ZEROBASED' },
      Inputs: [
        {
          FileInput: input.source,
          TimecodeSource: 'ZEROBASED',
          // Honour the rotation phones write into the container: outputs come out upright.
          VideoSelector: { Rotate: 'AUTO' },
          ...(ladder.audio ? { AudioSelectors: { [AUDIO_SELECTOR]: { DefaultSelection: 'DEFAULT' } } } : {}),
        },
      ],
      OutputGroups: groups,
    },
  };
}
