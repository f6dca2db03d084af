import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { UPLOAD_OBJECTS, UPLOADS_PREFIX, VIDEO_OBJECTS, VIDEOS_PREFIX } from '#contract/media-layout.ts';
import { escapeRegex } from '../shared/escape-regex.ts';
import type { SkycastFunction } from '../shared/skycast-function.ts';

/** The MediaConvert queue jobs go to: every account has `Default`, and Skycast's jobs name no other. */
export const MEDIACONVERT_QUEUE = 'Default';

/** Props of {@link MediaConvertRole}. */
export interface MediaConvertRoleProps {
  /** Where the originals are. */
  uploadsBucket: IBucket;
  /** Where renditions, posters and thumbnails go. */
  mediaBucket: IBucket;
}

/**
 * The service role MediaConvert assumes to run Skycast's jobs: it may read the originals under the uploads
 * prefix and write under the output prefix of the media bucket, nothing else. {@link grantSubmit} lets a
 * function create jobs with it.
 */
export class MediaConvertRole extends Construct {
  readonly role: Role;
  readonly mediaBucket: IBucket;

  constructor(scope: Construct, id: string, props: MediaConvertRoleProps) {
    super(scope, id);
    this.mediaBucket = props.mediaBucket;

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('mediaconvert.amazonaws.com'),
      description: 'Assumed by MediaConvert: reads uploaded originals, writes renditions',
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.uploadsBucket.arnForObjects(UPLOAD_OBJECTS)],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.mediaBucket.arnForObjects(VIDEO_OBJECTS)],
      }),
    );
    // The buckets use SSE-S3 today; should one get a KMS key, MediaConvert needs it to read or write.
    props.uploadsBucket.encryptionKey?.grantDecrypt(this.role);
    props.mediaBucket.encryptionKey?.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');

    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            `MediaConvert reads the original of whichever video a job names, so it may get any object under ` +
            `\`${UPLOADS_PREFIX}\` in the uploads bucket, where uploads live by owner and video id, and nothing else.`,
          appliesTo: [{ regex: `/^Resource::.*\\/${escapeRegex(UPLOAD_OBJECTS)}$/g` }],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            `MediaConvert writes each job's renditions, poster and thumbnails under \`${VIDEOS_PREFIX}<videoId>/\` ` +
            'in the media bucket; the video id is only known per job, so the grant covers that prefix only.',
          appliesTo: [{ regex: `/^Resource::.*\\/${escapeRegex(VIDEO_OBJECTS)}$/g` }],
        },
      ],
      true,
    );
  }

  /**
   * Lets `fn` submit jobs: Probe the source, CreateJob on the default queue, and pass exactly this role, to
   * MediaConvert only. (Its environment, the role's ARN and the media bucket, comes with its wiring.)
   */
  grantSubmit(fn: SkycastFunction): void {
    const stack = Stack.of(this);

    // Its own policy next to the function, so the one wildcard it needs is acknowledged on it alone.
    const scope = (fn.node.scope ?? fn) as Construct;
    const policy = new Policy(scope, `${fn.node.id}SubmitTranscodeJobs`, {
      statements: [
        new PolicyStatement({
          actions: ['mediaconvert:CreateJob'],
          resources: [
            stack.formatArn({
              service: 'mediaconvert',
              resource: 'queues',
              resourceName: MEDIACONVERT_QUEUE,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ],
        }),
        new PolicyStatement({ actions: ['mediaconvert:Probe'], resources: ['*'] }),
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
        }),
      ],
    });
    if (fn.role) policy.attachToRole(fn.role);
    // The function may run as soon as it exists (its queue may hold messages already): grants first.
    fn.node.addDependency(policy);

    NagSuppressions.addResourceSuppressions(policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'mediaconvert:Probe reads the media file named in the request and has no resource type in the IAM ' +
          'service authorization reference, so AWS documents Resource "*" for it; CreateJob and PassRole are ' +
          'scoped to the default queue and to the one MediaConvert role.',
        appliesTo: ['Resource::*'],
      },
    ]);
  }
}
