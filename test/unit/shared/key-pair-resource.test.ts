import assert from 'node:assert/strict';
import { createPublicKey, createSign, createVerify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambdas/shared/key-pair-resource.ts';

const secrets = mockClient(SecretsManagerClient);
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:playback-AbCdEf';

describe('the deploy-time key pair custom resource', () => {
  let server: Server;
  let responseUrl: string;
  const responses: Record<string, unknown>[] = [];
  let stored: string | undefined;

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        responses.push(JSON.parse(body));
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
    secrets.on(PutSecretValueCommand).callsFake((input: { SecretString: string }) => {
      stored = input.SecretString;
      return {};
    });
    secrets.on(GetSecretValueCommand).callsFake(() => ({ SecretString: stored }));
  });
  after(() => {
    server.close();
    secrets.restore();
  });

  const event = (
    RequestType: 'Create' | 'Update' | 'Delete',
    generation: string,
    PhysicalResourceId?: string,
    Algorithm = 'RSA-2048',
  ) =>
    ({
      RequestType,
      ResponseURL: responseUrl,
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1',
      RequestId: `r-${responses.length}`,
      LogicalResourceId: 'PlaybackKeyKeyPair',
      ResourceType: 'Custom::SkycastKeyPair',
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
      ResourceProperties: { ServiceToken: 'x', SecretId: SECRET, Algorithm, Generation: generation },
      ...(PhysicalResourceId ? { PhysicalResourceId, OldResourceProperties: {} } : {}),
    }) as unknown as CloudFormationCustomResourceEvent;

  it('creates a key pair: the private key into the secret, the matching public key to CloudFormation', async () => {
    await handler(event('Create', '1'));

    const answer = responses.at(-1) as {
      Status: string;
      PhysicalResourceId: string;
      Data: { PublicKey: string };
    };
    assert.equal(answer.Status, 'SUCCESS');
    assert.equal(answer.PhysicalResourceId, `${SECRET}#RSA-2048#1`);
    assert.match(stored ?? '', /^-----BEGIN PRIVATE KEY-----/);
    assert.match(answer.Data.PublicKey, /^-----BEGIN PUBLIC KEY-----/);
    assert.doesNotMatch(JSON.stringify(answer), /PRIVATE KEY/);
    const signature = createSign('RSA-SHA1')
      .update('policy')
      .sign(stored as string);
    assert.ok(
      createVerify('RSA-SHA1').update('policy').verify(createPublicKey(answer.Data.PublicKey), signature),
    );
  });

  it('keeps the key on an update of the same generation, and makes a new one for a new generation', async () => {
    const first = stored;
    await handler(event('Update', '1', `${SECRET}#RSA-2048#1`));
    assert.equal(stored, first);
    assert.equal((responses.at(-1) as { Status: string }).Status, 'SUCCESS');

    await handler(event('Update', '2', `${SECRET}#RSA-2048#1`));
    const answer = responses.at(-1) as { PhysicalResourceId: string; Data: { PublicKey: string } };
    assert.notEqual(stored, first);
    assert.equal(answer.PhysicalResourceId, `${SECRET}#RSA-2048#2`);
    const publicKey = createPublicKey(stored as string).export({ type: 'spki', format: 'pem' });
    assert.equal(answer.Data.PublicKey, publicKey);
  });

  it('makes an ES384 (P-384) key for IVS playback tokens, and a new one when the algorithm changes', async () => {
    await handler(event('Update', '2', `${SECRET}#RSA-2048#2`, 'EC-P384'));
    const answer = responses.at(-1) as {
      Status: string;
      PhysicalResourceId: string;
      Data: { PublicKey: string };
    };
    assert.equal(answer.Status, 'SUCCESS');
    assert.equal(answer.PhysicalResourceId, `${SECRET}#EC-P384#2`);
    const publicKey = createPublicKey(answer.Data.PublicKey);
    assert.deepEqual(
      [publicKey.asymmetricKeyType, publicKey.asymmetricKeyDetails?.namedCurve],
      ['ec', 'secp384r1'],
    );
    const signature = createSign('SHA384')
      .update('token')
      .sign({ key: stored as string, dsaEncoding: 'ieee-p1363' });
    assert.ok(
      createVerify('SHA384').update('token').verify({ key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    );

    const ecKey = stored;
    await handler(event('Update', '2', `${SECRET}#EC-P384#2`, 'EC-P384'));
    assert.equal(stored, ecKey, 'the same algorithm and generation keep the key');
  });

  it('refuses an algorithm it does not make', async () => {
    await handler(event('Create', '1', undefined, 'DSA-1024'));
    const answer = responses.at(-1) as { Status: string; Reason: string };
    assert.equal(answer.Status, 'FAILED');
    assert.match(answer.Reason, /RSA-2048 or EC-P384/);
  });

  it('reports a failure to CloudFormation instead of leaving it waiting', async () => {
    secrets.on(PutSecretValueCommand).rejects(new Error('AccessDeniedException'));
    await handler(event('Create', '3'));
    const answer = responses.at(-1) as { Status: string; Reason: string };
    assert.equal(answer.Status, 'FAILED');
    assert.match(answer.Reason, /AccessDenied/);
  });

  it('deletes nothing itself (the secret is its own resource) and says so with the same id', async () => {
    await handler(event('Delete', '2', `${SECRET}#RSA-2048#2`));
    const answer = responses.at(-1) as { Status: string; PhysicalResourceId: string };
    assert.deepEqual([answer.Status, answer.PhysicalResourceId], ['SUCCESS', `${SECRET}#RSA-2048#2`]);
  });
});
