/**
 * Runs one job the way MediaConvert does, phase by phase: PROBING (download the input from S3, ffprobe
 * it), TRANSCODING (one ffmpeg process, every output), UPLOADING (outputs to their S3 destinations, the
 * multivariant playlists last). A failure ends the job in ERROR with one of AWS's error codes.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMediaConvertFile, mediaConvertNames, s3Uri } from '#contract/media-layout.ts';
import { oneProcessCommand } from './command.ts';
import type { EncoderOptions } from './encoder-settings.ts';
import { JOB_ERROR, JobFailure } from './errors.ts';
import type { JobPhase, OutputGroupDetail } from './events.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import {
  AAC_LC,
  finishPackedAudio,
  finishVideoPlaylist,
  h264CodecString,
  multivariantPlaylist,
  renditionStats,
  type Variant,
} from './hls.ts';
import type { FrameCaptureGroupSpec, GroupSpec, HlsGroupSpec, JobSpec } from './job-spec.ts';
import { type MediaInfo, ProbeFailedError, probeMedia } from './media-info.ts';
import { ObjectNotFoundError, type ObjectStorage } from './storage.ts';
import { IncompatibleSettingsError, type PlannedOutput, planTranscode } from './transcode-plan.ts';

/** How the runner reports back to the job record and the event stream. */
export interface JobReporter {
  phase(phase: JobPhase, percentOfPhase: number, framesDecoded?: number): void;
}

export interface RunContext {
  storage: ObjectStorage;
  workDir: string;
  encoder: EncoderOptions;
  signal: AbortSignal;
  report: JobReporter;
}

export interface JobOutcome {
  outputGroupDetails: OutputGroupDetail[];
}

function probeFailure(url: string, error: ProbeFailedError): JobFailure {
  if (/moov atom not found/i.test(error.stderr)) {
    return new JobFailure(
      JOB_ERROR.DEMUX_STRUCTURE,
      `Unable to open input file [${url}]: [Failed probe/open: [no moov box found in file]]`,
    );
  }
  return new JobFailure(
    JOB_ERROR.FILE_ACCESS,
    `Unable to open input file [${url}]: [Failed probe/open: [No parser found for container]]`,
  );
}

/** Refuses inputs that cannot give the job what it asks for, with MediaConvert's codes. */
function checkInput(spec: JobSpec, info: MediaInfo): void {
  const outputs = spec.groups.flatMap((group) => group.outputs as GroupSpec['outputs'][number][]);
  const wantsVideo = outputs.some((output) => 'video' in output && output.video !== undefined);
  const audioSelectors = spec.groups
    .filter((group): group is HlsGroupSpec => group.kind === 'hls')
    .flatMap((group) => group.outputs.flatMap((output) => (output.audio ? [output.audio.selector] : [])));
  if (wantsVideo && !info.video) {
    throw new JobFailure(
      JOB_ERROR.MISSING_VIDEO,
      `Your input file [${spec.input.url}] doesn't have video that the transcoder can consume. Check your input video codec against this list of supported input video codec and container combinations: https://docs.aws.amazon.com/mediaconvert/latest/ug/reference-codecs-containers-input.html#reference-codecs-containers-input-video.`,
    );
  }
  if (audioSelectors.length > 0 && !info.audio) {
    throw new JobFailure(
      JOB_ERROR.MISSING_AUDIO,
      `No audio frames decoded on [selector-(${audioSelectors[0]})-track-1-drc]`,
    );
  }
  if (wantsVideo && info.video && ['unknown', 'none'].includes(info.video.codec)) {
    throw new JobFailure(
      JOB_ERROR.UNSUPPORTED_CODEC,
      `Video codec [${info.video.codec}] is not a supported input video codec`,
    );
  }
}

function transcodeFailure(stderr: string, inputSize: number): JobFailure {
  const decoder = /Decoder \(codec ([^)]+)\) not found/.exec(stderr);
  if (decoder) {
    return new JobFailure(
      JOB_ERROR.UNSUPPORTED_CODEC,
      `Video codec [${decoder[1]}] is not a supported input video codec`,
    );
  }
  if (/partial file|truncat|end of file/i.test(stderr)) {
    return new JobFailure(
      JOB_ERROR.FILE_TRUNCATED,
      `Demuxer: [ReadPacketData File read failed - end of file hit at length [${inputSize}]. Is file truncated?]`,
    );
  }
  const lastLine = stderr.trim().split('\n').pop() ?? '';
  return new JobFailure(
    JOB_ERROR.UNEXPECTED,
    `Transcoding failed: ${lastLine || 'ffmpeg ended without saying why'}`,
  );
}

interface FileToUpload {
  path: string;
  bucket: string;
  key: string;
  /** Uploaded in order of stage: media first, then media playlists, then multivariant playlists. */
  stage: 0 | 1 | 2;
}

/** Everything a finished output folder holds that belongs to one planned output, and its S3 keys. */
async function outputFiles(outDir: string, output: PlannedOutput): Promise<FileToUpload[]> {
  const folder = join(outDir, output.folder);
  const { bucket, prefix } = output.destination;
  const files = (await readdir(folder)).filter((file) =>
    isMediaConvertFile(output.name, file, output.kind === 'capture' ? 'capture' : 'hls'),
  );
  return files.sort().map((file) => ({
    path: join(folder, file),
    bucket,
    key: `${prefix}${file}`,
    stage: file.endsWith('.m3u8') ? 1 : 0,
  }));
}

async function finishHlsGroup(
  outDir: string,
  group: HlsGroupSpec,
  outputs: PlannedOutput[],
): Promise<{ detail: OutputGroupDetail; multivariant: FileToUpload; durationMs: number }> {
  const folder = join(outDir, outputs[0]?.folder ?? '');
  const variants: Variant[] = [];
  const detail: OutputGroupDetail = { type: 'HLS_GROUP', outputDetails: [] };
  let durationMs = 0;
  for (const output of outputs) {
    if (output.kind === 'capture') continue;
    if (output.kind === 'hls-audio')
      await finishPackedAudio(folder, output.name, group.minFinalSegmentSeconds, group.integerDurations);
    else await finishVideoPlaylist(folder, output.name, group.minFinalSegmentSeconds, group.integerDurations);
    const stats = await renditionStats(folder, mediaConvertNames.playlist(output.name));
    const first = stats.segments[0];
    if (!first) throw new JobFailure(JOB_ERROR.UNEXPECTED, `Output [${output.name}] has no segments`);
    const codecs =
      output.kind === 'hls-video'
        ? [
            await h264CodecString(join(folder, first.uri), group.codecSpecification),
            ...(output.hasAudio ? [AAC_LC] : []),
          ]
        : [AAC_LC];
    variants.push({
      uri: mediaConvertNames.playlist(output.name),
      stats,
      codecs,
      ...(output.width && output.height ? { width: output.width, height: output.height } : {}),
      ...(output.frameRate ? { frameRate: output.frameRate } : {}),
    });
    const outputDuration = Math.round(stats.durationSeconds * 1000);
    durationMs = Math.max(durationMs, outputDuration);
    const { bucket, prefix } = output.destination;
    detail.outputDetails.push({
      outputFilePaths: [s3Uri(bucket, `${prefix}${mediaConvertNames.playlist(output.name)}`)],
      durationInMs: outputDuration,
      ...(output.width && output.height
        ? {
            videoDetails: {
              widthInPx: output.width,
              heightInPx: output.height,
              averageBitrate: stats.averageBitrate,
            },
          }
        : {}),
    });
  }
  const { bucket, prefix, base } = group.destination;
  const name = mediaConvertNames.playlist(base);
  const path = join(folder, name);
  await writeFile(path, multivariantPlaylist(variants));
  detail.playlistFilePaths = [s3Uri(bucket, `${prefix}${name}`)];
  return { detail, multivariant: { path, bucket, key: `${prefix}${name}`, stage: 2 }, durationMs };
}

function frameCaptureDetail(
  files: FileToUpload[],
  outputs: PlannedOutput[],
  durationMs: number,
  group: FrameCaptureGroupSpec,
): OutputGroupDetail {
  return {
    type: 'FILE_GROUP',
    outputDetails: outputs.map((output) => {
      const captures = files
        .filter((file) => file.key.startsWith(`${group.destination.prefix}${output.name}.`))
        .sort((a, b) => a.key.localeCompare(b.key));
      const last = captures[captures.length - 1];
      return {
        // MediaConvert names the last capture here.
        outputFilePaths: last ? [s3Uri(last.bucket, last.key)] : [],
        durationInMs: durationMs,
        ...(output.kind === 'capture'
          ? { videoDetails: { widthInPx: output.width, heightInPx: output.height } }
          : {}),
      };
    }),
  };
}

export async function runJob(jobId: string, spec: JobSpec, context: RunContext): Promise<JobOutcome> {
  const { storage, signal, report } = context;
  const dir = await mkdtemp(join(context.workDir, `job-${jobId}-`));
  try {
    // PROBING: the input comes down from S3 and is read.
    report.phase('PROBING', 0);
    // No extension: ffmpeg then recognises the container by its content, as MediaConvert does, rather than
    // trusting a name (a text file called .mp4 is "no parser found", not a broken MP4).
    const inputPath = join(dir, 'input');
    let inputSize: number;
    try {
      inputSize = (await storage.head(spec.input, signal)).size ?? 0;
      await storage.download(spec.input, inputPath, signal);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) {
        throw new JobFailure(
          JOB_ERROR.FILE_NOT_FOUND,
          `Unable to open input file [${spec.input.url}]: [Failed probe/open: [Can't read input stream: [Failed to read data: HeadObject failed]]]`,
        );
      }
      throw error;
    }
    report.phase('PROBING', 60);
    let info: MediaInfo;
    try {
      info = await probeMedia(inputPath, { signal });
    } catch (error) {
      if (error instanceof ProbeFailedError) throw probeFailure(spec.input.url, error);
      throw error;
    }
    checkInput(spec, info);
    report.phase('PROBING', 100);

    // TRANSCODING: one ffmpeg process, one decode, every output.
    let plan: ReturnType<typeof planTranscode>;
    try {
      plan = planTranscode(spec, info, context.encoder);
    } catch (error) {
      if (error instanceof IncompatibleSettingsError)
        throw new JobFailure(JOB_ERROR.SETTINGS_COMPATIBILITY, error.message);
      throw error;
    }
    const outDir = join(dir, 'out');
    for (const folder of new Set(plan.branches.map((branch) => branch.output.folder))) {
      await mkdir(join(outDir, folder), { recursive: true });
    }
    report.phase('TRANSCODING', 0);
    const result = await runFfmpeg(oneProcessCommand(plan, inputPath), {
      cwd: outDir,
      durationSeconds: info.durationSeconds,
      signal,
      onProgress: (progress) => report.phase('TRANSCODING', progress.fraction * 100, progress.frames),
    });
    if (result.exitCode !== 0 || /partial file/i.test(result.stderr))
      throw transcodeFailure(result.stderr, inputSize);
    report.phase('TRANSCODING', 100);

    // Playlists and measurements that ffmpeg does not write.
    const outputsByGroup = new Map<number, PlannedOutput[]>();
    for (const branch of plan.branches) {
      outputsByGroup.set(branch.output.group, [
        ...(outputsByGroup.get(branch.output.group) ?? []),
        branch.output,
      ]);
    }
    const uploads: FileToUpload[] = [];
    const details: OutputGroupDetail[] = [];
    let durationMs = Math.round(info.durationSeconds * 1000);
    for (const [index, group] of spec.groups.entries()) {
      const outputs = outputsByGroup.get(index) ?? [];
      if (group.kind === 'hls') {
        const finished = await finishHlsGroup(outDir, group, outputs);
        details.push(finished.detail);
        uploads.push(finished.multivariant);
        durationMs = finished.durationMs || durationMs;
      }
      const files = (await Promise.all(outputs.map((output) => outputFiles(outDir, output)))).flat();
      uploads.push(...files);
      if (group.kind === 'frameCapture') details.push(frameCaptureDetail(files, outputs, durationMs, group));
    }

    // UPLOADING: media first, then media playlists, then the multivariant playlists, so a reader never
    // finds a playlist that points at something missing.
    report.phase('UPLOADING', 0);
    let uploaded = 0;
    for (const stage of [0, 1, 2] as const) {
      const batch = uploads.filter((file) => file.stage === stage);
      for (let i = 0; i < batch.length; i += 8) {
        await Promise.all(
          batch.slice(i, i + 8).map(async (file) => {
            try {
              await storage.upload({ bucket: file.bucket, key: file.key }, file.path, signal);
            } catch (error) {
              if (signal.aborted) throw error;
              throw new JobFailure(
                JOB_ERROR.S3_WRITE,
                `Unable to write to output file [${s3Uri(file.bucket, file.key)}]: [Failed to write data: ${error instanceof Error ? error.message : String(error)}]`,
                { cause: error },
              );
            }
            uploaded += 1;
            report.phase('UPLOADING', (uploaded / uploads.length) * 100);
          }),
        );
      }
    }
    return { outputGroupDetails: details };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
