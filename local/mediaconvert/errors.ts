/**
 * The two ways MediaConvert says no: an API error answered to the caller (HTTP status, error type in
 * `x-amzn-ErrorType`, `message`), and a job that ends in ERROR with a numeric `errorCode` from AWS's
 * published list (https://docs.aws.amazon.com/mediaconvert/latest/ug/mediaconvert_error_codes.html) and an
 * `errorMessage` worded like the service's own.
 */

/** The error shapes of the MediaConvert API, as the SDK's schemas register them. */
export type ApiErrorType =
  | 'BadRequestException'
  | 'NotFoundException'
  | 'ConflictException'
  | 'TooManyRequestsException'
  | 'InternalServerErrorException';

const STATUS: Record<ApiErrorType, number> = {
  BadRequestException: 400,
  NotFoundException: 404,
  ConflictException: 409,
  TooManyRequestsException: 429,
  InternalServerErrorException: 500,
};

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  constructor(
    readonly type: ApiErrorType,
    message: string,
  ) {
    super(message);
    this.status = STATUS[type];
  }
}

/** A CreateJob setting the emulator does not reproduce: refused up front, naming the setting. */
export function unsupportedSetting(path: string, value: unknown, supported?: readonly unknown[]): ApiError {
  const setting = value !== null && typeof value === 'object' ? path : `${path} = ${JSON.stringify(value)}`;
  const hint = supported
    ? ` Supported: ${supported.map((v) => (typeof v === 'string' && v.includes(' ') ? v : JSON.stringify(v))).join(', ')}.`
    : '';
  return new ApiError(
    'BadRequestException',
    `${setting}: not supported by the local MediaConvert emulator.${hint}`,
  );
}

/** A setting MediaConvert itself refuses at CreateJob (e.g. an odd frame size). */
export function invalidSetting(path: string, value: unknown, reason: string): ApiError {
  return new ApiError('BadRequestException', `${path} = ${JSON.stringify(value)}: ${reason}`);
}

/** A setting MediaConvert needs (or the emulator needs to reproduce the job) is missing. */
export function missingSetting(path: string, what = 'a value'): ApiError {
  return new ApiError('BadRequestException', `${path}: required, expected ${what}.`);
}

/** Error codes from AWS's list that the emulator produces, with what each one means there. */
export const JOB_ERROR = {
  /** The input cannot be opened: not a media container ffprobe/ffmpeg can parse. */
  FILE_ACCESS: 1010,
  /** Video outputs were asked for, but the input has no video stream. */
  MISSING_VIDEO: 1020,
  /** An audio selector was given, but the input has no audio stream. */
  MISSING_AUDIO: 1021,
  /** The input has a stream whose codec cannot be decoded. */
  UNSUPPORTED_CODEC: 1030,
  /** The job's settings cannot be reproduced for this input (e.g. a GOP that does not divide the segments). */
  SETTINGS_COMPATIBILITY: 1040,
  /** The container is broken (e.g. an MP4 whose moov box is missing, as when an upload was cut short). */
  DEMUX_STRUCTURE: 1075,
  /** The media data ends early: the file is truncated. */
  FILE_TRUNCATED: 1076,
  /** The input object or its bucket does not exist. */
  FILE_NOT_FOUND: 1404,
  /** Writing an output to S3 failed. */
  S3_WRITE: 1517,
  /** Anything else, e.g. ffmpeg failing for a reason the emulator cannot classify. */
  UNEXPECTED: 1999,
} as const;

export type JobErrorCode = (typeof JOB_ERROR)[keyof typeof JOB_ERROR];

/** Ends a running job in ERROR with this code and message. */
export class JobFailure extends Error {
  override name = 'JobFailure';
  constructor(
    readonly code: JobErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
