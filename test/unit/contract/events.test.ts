import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type * as z from 'zod';
import {
  IvsRecordingStateChangeSchema,
  IvsStreamStateChangeSchema,
} from '../../../lambdas/contract/events/ivs.ts';
import { MediaConvertJobStateChangeSchema } from '../../../lambdas/contract/events/mediaconvert.ts';
import {
  S3EventNotificationSchema,
  S3NotificationMessageSchema,
  S3TestEventSchema,
} from '../../../lambdas/contract/events/s3.ts';
import { SqsEventSchema } from '../../../lambdas/contract/events/sqs.ts';
import { describeProblems } from '../../../lambdas/shared/events.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));
/** The S3 events AWS's documentation shows, kept next to the local pipelines' tests. */
const documented = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../integration/local-pipelines/fixtures/${name}`, import.meta.url), 'utf8'),
  );

/** What the schema says is wrong with `value`, or '' when it parses. */
function problems(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  return result.success ? '' : describeProblems(result.error);
}

describe('S3 event notification schemas', () => {
  it('read the ObjectCreated notification AWS documents and ours', () => {
    for (const event of [documented('s3-documented-event.json'), fixture('s3-object-created.json')]) {
      const parsed = S3EventNotificationSchema.parse(event);

      assert.equal(parsed.Records[0]?.s3.object.key, event.Records[0].s3.object.key);
      assert.equal(parsed.Records[0]?.s3.object.size, event.Records[0].s3.object.size);
    }
  });

  it('read a notification without the fields moto leaves out', () => {
    const event = documented('s3-documented-event.json');
    const [record] = event.Records;
    delete record.userIdentity;
    delete record.requestParameters;
    delete record.responseElements;
    delete record.s3.bucket.ownerIdentity;
    delete record.s3.object.sequencer;

    assert.equal(problems(S3EventNotificationSchema, event), '');
  });

  it('tell the test event S3 sends from a notification', () => {
    for (const event of [documented('s3-documented-test-event.json'), fixture('s3-test-event.json')]) {
      assert.equal(problems(S3TestEventSchema, event), '');
      assert.deepEqual(S3NotificationMessageSchema.parse(event), event);
    }
    assert.notEqual(problems(S3TestEventSchema, fixture('s3-object-created.json')), '');
  });

  it('name the missing or mistyped fields of a malformed notification', () => {
    const noKey = fixture('s3-object-created.json');
    delete noKey.Records[0].s3.object.key;
    const textSize = fixture('s3-object-created.json');
    textSize.Records[0].s3.object.size = '73400320';

    assert.match(problems(S3EventNotificationSchema, noKey), /^Records\.0\.s3\.object\.key: /);
    assert.match(problems(S3EventNotificationSchema, textSize), /^Records\.0\.s3\.object\.size: .*number/);
    assert.match(problems(S3EventNotificationSchema, { hello: 'world' }), /^Records: /);
    assert.match(problems(S3EventNotificationSchema, { Records: [] }), /^Records: /);
  });
});

describe('SQS event schema', () => {
  it('reads the SQS event Lambda documents, whose body is an S3 notification as text', () => {
    const event = SqsEventSchema.parse(fixture('sqs-s3-object-created.json'));

    assert.equal(event.Records[0]?.attributes.ApproximateReceiveCount, '1');
    assert.equal(problems(S3EventNotificationSchema, JSON.parse(event.Records[0]?.body ?? '')), '');
  });

  it('names what a record lacks', () => {
    const event = fixture('sqs-s3-object-created.json');
    delete event.Records[0].messageId;
    event.Records[0].attributes.ApproximateReceiveCount = 1;

    assert.equal(
      problems(SqsEventSchema, event),
      'Records.0.messageId: Invalid input: expected string, received undefined; ' +
        'Records.0.attributes.ApproximateReceiveCount: Invalid input: expected string, received number',
    );
  });
});

describe('MediaConvert Job State Change schema', () => {
  it('reads the COMPLETE, ERROR, STATUS_UPDATE and PROGRESSING events AWS documents', () => {
    const complete = MediaConvertJobStateChangeSchema.parse(fixture('mediaconvert-job-complete.json'));
    const error = MediaConvertJobStateChangeSchema.parse(fixture('mediaconvert-job-error.json'));
    const update = MediaConvertJobStateChangeSchema.parse(fixture('mediaconvert-job-status-update.json'));
    const progressing = MediaConvertJobStateChangeSchema.parse(fixture('mediaconvert-job-progressing.json'));

    assert.equal(complete.detail.status === 'COMPLETE' && complete.detail.outputGroupDetails.length, 3);
    assert.equal(error.detail.status === 'ERROR' && error.detail.errorCode, 1010);
    assert.equal(
      update.detail.status === 'STATUS_UPDATE' && update.detail.jobProgress.jobPercentComplete,
      45,
    );
    assert.equal(progressing.detail.userMetadata.videoId, '0b6f0c1e-5f6a-4c1d-9a8e-2f1e3d4c5b6a');
  });

  it('wants what each status carries: outputs for COMPLETE, the code and message for ERROR', () => {
    const complete = fixture('mediaconvert-job-complete.json');
    delete complete.detail.outputGroupDetails;
    const error = fixture('mediaconvert-job-error.json');
    delete error.detail.errorMessage;
    error.detail.errorCode = '1010';

    assert.match(problems(MediaConvertJobStateChangeSchema, complete), /^detail\.outputGroupDetails: /);
    assert.equal(
      problems(MediaConvertJobStateChangeSchema, error),
      'detail.errorCode: Invalid input: expected number, received string; ' +
        'detail.errorMessage: Invalid input: expected string, received undefined',
    );
  });

  it('refuses an event without user metadata, of an unknown status, or of another type', () => {
    const anonymous = fixture('mediaconvert-job-progressing.json');
    delete anonymous.detail.userMetadata;
    const unknown = fixture('mediaconvert-job-progressing.json');
    unknown.detail.status = 'EXPLODED';
    const other = {
      ...fixture('mediaconvert-job-progressing.json'),
      'detail-type': 'IVS Stream State Change',
    };

    assert.match(problems(MediaConvertJobStateChangeSchema, anonymous), /^detail\.userMetadata: /);
    assert.match(problems(MediaConvertJobStateChangeSchema, unknown), /^detail\.status: /);
    assert.match(
      problems(MediaConvertJobStateChangeSchema, other),
      /^detail-type: .*MediaConvert Job State Change/,
    );
  });

  it('refuses output paths that are not S3 URIs', () => {
    const event = fixture('mediaconvert-job-complete.json');
    event.detail.outputGroupDetails[0].playlistFilePaths = ['/tmp/index.m3u8'];

    assert.match(
      problems(MediaConvertJobStateChangeSchema, event),
      /^detail\.outputGroupDetails\.0\.playlistFilePaths\.0: /,
    );
  });
});

describe('IVS event schemas', () => {
  it('read the Stream State Change events AWS documents', () => {
    for (const name of ['ivs-stream-start.json', 'ivs-stream-end.json', 'ivs-stream-failure.json']) {
      const event = IvsStreamStateChangeSchema.parse(fixture(name));

      assert.equal(event.detail.stream_id, 'st-1A2b3c4D5e6F78ghij9Klmn', name);
      assert.deepEqual(event.resources, ['arn:aws:ivs:us-west-2:123456789012:channel/AbCdef1G2hij']);
    }
  });

  it('read the Recording State Change events AWS documents, with or without a recording session', () => {
    const older = fixture('ivs-recording-end.json');
    delete older.detail.recording_session_id;
    delete older.detail.recording_session_stream_ids;

    for (const event of [
      fixture('ivs-recording-start.json'),
      fixture('ivs-recording-end.json'),
      fixture('ivs-recording-end-failure.json'),
      older,
    ]) {
      assert.equal(problems(IvsRecordingStateChangeSchema, event), '');
    }
  });

  it('name the missing or mistyped fields of a malformed event', () => {
    const noStream = fixture('ivs-stream-start.json');
    delete noStream.detail.stream_id;
    const badTime = { ...fixture('ivs-stream-end.json'), time: 'yesterday' };
    const noPrefix = fixture('ivs-recording-end.json');
    delete noPrefix.detail.recording_s3_key_prefix;
    noPrefix.detail.recording_duration_ms = '1206533';

    assert.equal(
      problems(IvsStreamStateChangeSchema, noStream),
      'detail.stream_id: Invalid input: expected string, received undefined',
    );
    assert.match(problems(IvsStreamStateChangeSchema, badTime), /^time: /);
    assert.equal(
      problems(IvsRecordingStateChangeSchema, noPrefix),
      'detail.recording_s3_key_prefix: Invalid input: expected string, received undefined; ' +
        'detail.recording_duration_ms: Invalid input: expected number, received string',
    );
  });

  it('refuse a stream event where a recording event belongs, and a status IVS does not send', () => {
    const status = fixture('ivs-recording-end.json');
    status.detail.recording_status = 'Recording Paused';

    assert.match(
      problems(IvsRecordingStateChangeSchema, fixture('ivs-stream-start.json')),
      /^detail-type: .*IVS Recording State Change/,
    );
    assert.match(problems(IvsRecordingStateChangeSchema, status), /^detail\.recording_status: /);
  });
});
