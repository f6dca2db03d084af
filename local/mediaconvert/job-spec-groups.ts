/**
 * Reads a CreateJob request's output groups: HLS groups of H.264/AAC renditions and file groups of JPEG
 * frame captures, each with its S3 destination. A setting the emulator cannot reproduce is refused with a
 * 400 that names it.
 */
import { parseS3Uri } from '#contract/media-layout.ts';
import { invalidSetting, missingSetting, unsupportedSetting } from './errors.ts';
import type {
  Destination,
  FrameCaptureGroupSpec,
  FrameCaptureOutputSpec,
  HlsGroupSpec,
  HlsOutputSpec,
} from './job-spec.ts';
import { readAudio, readFrameSize, readH264 } from './job-spec-codecs.ts';
import { SettingsReader } from './settings-reader.ts';

function destination(url: string, path: string, inputKey: string): Destination {
  const location = parseS3Uri(url);
  if (!location) throw invalidSetting(path, url, 'Should be an s3://bucket/prefix/base URL');
  const rest = location.key;
  const slash = rest.lastIndexOf('/');
  const prefix = rest.slice(0, slash + 1);
  // A destination ending in "/" names no base: MediaConvert then uses the input file's name.
  const inputName = (inputKey.split('/').pop() ?? 'output').replace(/\.[^.]*$/, '');
  return { bucket: location.bucket, prefix, base: rest.slice(slash + 1) || inputName };
}

/** An output group of type HLS_GROUP_SETTINGS; `settings` is its `OutputGroupSettings`. */
export function readHlsGroup(
  group: SettingsReader,
  name: string,
  settings: SettingsReader,
  inputKey: string,
  selectors: string[],
): HlsGroupSpec {
  const hls = settings.object('HlsGroupSettings', { required: true }) as SettingsReader;
  const dest = destination(
    hls.string('Destination', { required: true }),
    `${hls.path}.Destination`,
    inputKey,
  );
  const segmentSeconds = hls.number('SegmentLength', { min: 1, max: 2_147_483_647 }) ?? 10;
  hls.number('MinSegmentLength', { min: 0, max: 0, only: [0] });
  const minFinalSegmentSeconds =
    hls.number('MinFinalSegmentLength', { min: 0, max: 2_147_483_647, integer: false }) ?? 0;
  hls.choice('SegmentControl', ['SEGMENTED_FILES'] as const);
  hls.choice('SegmentLengthControl', ['EXACT', 'GOP_MULTIPLE'] as const);
  const durationFormat = hls.choice(
    'ManifestDurationFormat',
    ['FLOATING_POINT', 'INTEGER'] as const,
    'FLOATING_POINT',
  );
  hls.choice('OutputSelection', ['MANIFESTS_AND_SEGMENTS'] as const);
  hls.choice('DirectoryStructure', ['SINGLE_DIRECTORY'] as const);
  const codecSpecification = hls.choice('CodecSpecification', ['RFC_6381', 'RFC_4281'] as const, 'RFC_4281');
  hls.choice('ClientCache', ['ENABLED'] as const);
  hls.choice('ProgramDateTime', ['EXCLUDE'] as const);
  hls.choice('StreamInfResolution', ['INCLUDE'] as const);
  hls.choice('ManifestCompression', ['NONE'] as const);
  hls.done();
  settings.done();

  const outputs = group.list('Outputs').map((output): HlsOutputSpec => {
    const container = output.object('ContainerSettings');
    container?.choice('Container', ['M3U8'] as const);
    // An empty M3u8Settings is MediaConvert's defaults (PMT PID 480, video PID 481, audio PID 482).
    container?.object('M3u8Settings')?.done();
    container?.done();
    const outputSettings = output.object('OutputSettings');
    outputSettings?.object('HlsSettings')?.done();
    outputSettings?.done();
    const nameModifier = output.string('NameModifier') ?? '';
    // Without one, the output's playlist would be the group's multivariant playlist, `<base>.m3u8`.
    if (!nameModifier)
      throw missingSetting(`${output.path}.NameModifier`, 'a name modifier for each HLS output');

    const description = output.object('VideoDescription');
    let video: HlsOutputSpec['video'];
    if (description) {
      const frame = readFrameSize(description);
      const codec = description.object('CodecSettings', { required: true }) as SettingsReader;
      const kind = codec.choice('Codec', ['H_264'] as const);
      if (!kind) throw missingSetting(`${codec.path}.Codec`, 'H_264');
      const h264 = readH264(codec.object('H264Settings', { required: true }) as SettingsReader);
      codec.done();
      description.done();
      video = { ...frame, codec: h264 };
    }
    const audios = output.list('AudioDescriptions');
    if (audios.length > 1)
      throw unsupportedSetting(`${output.path}.AudioDescriptions`, audios.length, [
        'one audio description per output',
      ]);
    const audio = audios[0] ? readAudio(audios[0], selectors) : undefined;
    output.done();
    if (!video && !audio) throw missingSetting(output.path, 'a VideoDescription, AudioDescriptions or both');
    return { nameModifier, ...(video ? { video } : {}), ...(audio ? { audio } : {}) };
  });
  if (outputs.length === 0) throw missingSetting(`${group.path}.Outputs`, 'at least one output');
  for (const output of outputs) {
    const gop = output.video?.codec.gop;
    // Segments must start on keyframes; MediaConvert (SegmentLengthControl EXACT) would add keyframes at
    // segment boundaries, the emulator only places them on the GOP grid. Frame-counted GOPs are checked
    // when the frame rate is known.
    if (
      gop?.units === 'SECONDS' &&
      Math.abs(segmentSeconds / gop.size - Math.round(segmentSeconds / gop.size)) > 1e-9
    ) {
      throw unsupportedSetting(`${hls.path}.SegmentLength`, segmentSeconds, [
        `a whole number of GOPs (GopSize is ${gop.size} s)`,
      ]);
    }
  }
  const names = outputs.map((o) => o.nameModifier);
  if (new Set(names).size !== names.length) {
    throw unsupportedSetting(`${group.path}.Outputs`, names.join(','), [
      'a different NameModifier for each output',
    ]);
  }
  group.done();
  return {
    kind: 'hls',
    name,
    destination: dest,
    segmentSeconds,
    minFinalSegmentSeconds,
    integerDurations: durationFormat === 'INTEGER',
    codecSpecification,
    outputs,
  };
}

/** An output group of type FILE_GROUP_SETTINGS holding frame captures. */
export function readFrameCaptureGroup(
  group: SettingsReader,
  name: string,
  settings: SettingsReader,
  inputKey: string,
): FrameCaptureGroupSpec {
  const file = settings.object('FileGroupSettings', { required: true }) as SettingsReader;
  const dest = destination(
    file.string('Destination', { required: true }),
    `${file.path}.Destination`,
    inputKey,
  );
  file.done();
  settings.done();
  const outputs = group.list('Outputs').map((output): FrameCaptureOutputSpec => {
    const container = output.object('ContainerSettings', { required: true }) as SettingsReader;
    const kind = container.choice('Container', ['RAW'] as const);
    if (!kind) throw missingSetting(`${container.path}.Container`, 'RAW (frame capture)');
    container.done();
    const nameModifier = output.string('NameModifier') ?? '';
    output.choice('Extension', ['jpg'] as const);
    const description = output.object('VideoDescription', { required: true }) as SettingsReader;
    const video = readFrameSize(description);
    const codec = description.object('CodecSettings', { required: true }) as SettingsReader;
    codec.choice('Codec', ['FRAME_CAPTURE'] as const);
    if (!codec.has('Codec')) throw missingSetting(`${codec.path}.Codec`, 'FRAME_CAPTURE');
    const capture =
      codec.object('FrameCaptureSettings') ?? new SettingsReader({}, `${codec.path}.FrameCaptureSettings`);
    const numerator = capture.number('FramerateNumerator', { min: 1, max: 2_147_483_647 }) ?? 30;
    const denominator = capture.number('FramerateDenominator', { min: 1, max: 2_147_483_647 }) ?? 1;
    const maxCaptures = capture.number('MaxCaptures', { min: 1, max: 10_000_000 }) ?? 10_000_000;
    const quality = capture.number('Quality', { min: 1, max: 100 }) ?? 80;
    capture.done();
    codec.done();
    description.done();
    output.done();
    return { nameModifier, video, rate: { numerator, denominator }, maxCaptures, quality };
  });
  if (outputs.length === 0) throw missingSetting(`${group.path}.Outputs`, 'at least one output');
  const names = outputs.map((o) => o.nameModifier);
  if (new Set(names).size !== names.length) {
    throw unsupportedSetting(`${group.path}.Outputs`, names.join(','), [
      'a different NameModifier for each output',
    ]);
  }
  group.done();
  return { kind: 'frameCapture', name, destination: dest, outputs };
}
