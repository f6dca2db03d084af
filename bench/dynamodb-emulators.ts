/**
 * dynamodb-emulators: the two DynamoDB emulators the local platform can use, side by side in one run — moto
 * (Python) and DynamoDB Local (AWS's own, Java). For each: how long it takes to answer once spawned, then
 * GetItem of one item from the catalog table (created from the wiring table's definition, indexes and TTL
 * included) through the AWS SDK with a keep-alive agent, at 10 and 100 requests in flight. The emulators take
 * turns at each level, so both see the same machine. The SDK runs in this process, the emulators in theirs.
 */
import { Agent } from 'node:http';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { catalogTable } from '#contract/resources.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { type RunningEmulator, startMoto } from '../local/moto.ts';
import { createTable, emulatorClientConfig } from '../local/provision.ts';
import { processCpuSeconds } from './support/machine.ts';
import type { BenchRow } from './support/report.ts';
import { distribution, round } from './support/stats.ts';

const STARTS = 3;
const WARMUP_SECONDS = 3;
const RUN_SECONDS = 8;
const CONCURRENCY = [10, 100];
const TABLE = 'bench-catalog';
const KEY = { pk: { S: 'USER#bench' }, sk: { S: 'PROFILE' } };

type EmulatorName = 'moto' | 'DynamoDB Local';

const starters: Record<EmulatorName, () => Promise<RunningEmulator>> = {
  moto: () => startMoto(),
  'DynamoDB Local': () => startDynamoDbLocal(),
};

async function timedStart(name: EmulatorName): Promise<{ emulator: RunningEmulator; ms: number }> {
  const begin = performance.now();
  const emulator = await starters[name]();
  return { emulator, ms: performance.now() - begin };
}

/** An SDK client as a handler's, but with a keep-alive agent that never makes a request wait for a socket. */
function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    ...emulatorClientConfig({ endpoint, region: 'us-east-1' }),
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1000 }) },
  });
}

interface Measured {
  perSecond: number;
  latencyMs: ReturnType<typeof distribution>;
  errors: number;
  emulatorCpuMs?: number;
  clientCpuMs: number;
}

/** `concurrency` loops, each sending its next GetItem as soon as the previous one is answered. */
async function load(
  db: DynamoDBClient,
  pid: number | undefined,
  concurrency: number,
  seconds: number,
): Promise<Measured> {
  const times: number[] = [];
  let errors = 0;
  const emulatorBefore = pid === undefined ? undefined : processCpuSeconds(pid);
  const clientBefore = process.cpuUsage();
  const begin = performance.now();
  const end = begin + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const sent = performance.now();
        try {
          await db.send(new GetItemCommand({ TableName: TABLE, Key: KEY }));
          times.push(performance.now() - sent);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - begin) / 1000;
  const emulatorAfter = pid === undefined ? undefined : processCpuSeconds(pid);
  const clientUsed = process.cpuUsage(clientBefore);
  if (times.length === 0) throw new Error(`No GetItem succeeded (${errors} errors)`);
  return {
    perSecond: times.length / elapsed,
    latencyMs: distribution(times),
    errors,
    emulatorCpuMs:
      emulatorBefore === undefined || emulatorAfter === undefined
        ? undefined
        : ((emulatorAfter - emulatorBefore) * 1000) / times.length,
    clientCpuMs: (clientUsed.user + clientUsed.system) / 1000 / times.length,
  };
}

export async function dynamodbEmulators(): Promise<BenchRow[]> {
  const names = Object.keys(starters) as EmulatorName[];
  const rows: BenchRow[] = [];

  // Start-up: spawned until it answers, a few times each, taking turns.
  const startMs: Record<EmulatorName, number[]> = { moto: [], 'DynamoDB Local': [] };
  for (let i = 0; i < STARTS; i++) {
    for (const name of names) {
      console.error(`  starting ${name} (${i + 1}/${STARTS})`);
      const { emulator, ms } = await timedStart(name);
      startMs[name].push(ms);
      await emulator.stop();
    }
  }
  for (const name of names) {
    const samples = startMs[name];
    rows.push({
      metric: `${name}: start-up (spawned → answering), median of ${STARTS}`,
      value: Math.round(distribution(samples).p50),
      unit: 'ms',
      note: 'start-up = from spawning the process to its first answer (installation already done)',
      detail: { samplesMs: samples.map((ms) => Math.round(ms)) },
    });
  }

  const running = new Map<EmulatorName, { emulator: RunningEmulator; db: DynamoDBClient }>();
  try {
    for (const name of names) {
      const { emulator } = await timedStart(name);
      const db = client(emulator.endpoint);
      running.set(name, { emulator, db });
      await createTable(db, TABLE, catalogTable);
      await db.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            ...KEY,
            email: { S: 'bench@example.com' },
            displayName: { S: 'Bench' },
            preferences: { M: { categories: { L: [{ S: 'music' }] }, language: { S: 'en' } } },
            createdAt: { S: new Date().toISOString() },
          },
        }),
      );
      console.error(`  warming ${name} up for ${WARMUP_SECONDS} s`);
      await load(db, emulator.pid, 10, WARMUP_SECONDS);
    }
    for (const concurrency of CONCURRENCY) {
      for (const name of names) {
        const { emulator, db } = running.get(name)!;
        console.error(`  ${name}: GetItem, ${concurrency} in flight, ${RUN_SECONDS} s`);
        const measured = await load(db, emulator.pid, concurrency, RUN_SECONDS);
        const label = `${name}: GetItem, ${concurrency} in flight`;
        rows.push(
          {
            metric: `${label}: requests/s`,
            value: Math.round(measured.perSecond),
            unit: '1/s',
            note:
              'GetItem through the AWS SDK (keep-alive agent) from one Node process; moto closes every ' +
              'connection after its response, so against moto each request also opens a TCP connection',
            detail: {
              ...measured,
              latencyMs: Object.fromEntries(
                Object.entries(measured.latencyMs).map(([key, value]) => [key, round(value, 2)]),
              ),
            },
          },
          { metric: `${label}: latency p50`, value: round(measured.latencyMs.p50, 1), unit: 'ms' },
          { metric: `${label}: latency p99`, value: round(measured.latencyMs.p99, 1), unit: 'ms' },
          ...(measured.emulatorCpuMs === undefined
            ? []
            : [
                {
                  metric: `${label}: ${name} CPU time per request`,
                  value: round(measured.emulatorCpuMs, 3),
                  unit: 'ms',
                  note:
                    'CPU time per request = user + system CPU time of that process during the run / ' +
                    'responses; it depends much less than throughput on what else the machine was doing',
                },
              ]),
          {
            metric: `${label}: SDK client CPU time per request`,
            value: round(measured.clientCpuMs, 3),
            unit: 'ms',
          },
        );
        if (measured.errors > 0) throw new Error(`${label}: ${measured.errors} errors`);
      }
    }
  } finally {
    for (const { emulator, db } of running.values()) {
      db.destroy();
      await emulator.stop();
    }
  }
  return rows;
}
