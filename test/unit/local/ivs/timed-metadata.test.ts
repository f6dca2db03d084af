import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { timedMetadata } from '../../../../bench/support/ts-timed-metadata.ts';
import { injectTimedMetadata, METADATA_PID } from '../../../../local/ivs/timed-metadata.ts';

/**
 * The local IVS's in-band metadata, checked on segments ffmpeg writes as the live transcode does, read back by
 * ffprobe (stream type and timing) and by the benchmarks' own TS/ID3 reader (the payloads).
 */
describe('timed metadata in live segments', () => {
  let dir: string;
  let segment: Buffer;
  let audioSegment: Buffer;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skycast-id3-'));
    const make = (name: string, audio: boolean) => {
      const file = join(dir, name);
      execFileSync('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=320x180:rate=30',
        ...(audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
        '-t',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        '30',
        ...(audio ? ['-c:a', 'aac', '-shortest'] : []),
        '-f',
        'mpegts',
        file,
      ]);
      return readFileSync(file);
    };
    segment = make('video.ts', false);
    audioSegment = make('av.ts', true);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const probe = (bytes: Buffer) => {
    const file = join(dir, `probe-${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(file, bytes);
    return JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', file], {
        encoding: 'utf8',
      }),
    ) as {
      streams: { index: number; codec_name?: string; codec_type: string; id: string; start_pts?: number }[];
      packets: { stream_index: number; pts: number }[];
    };
  };

  it('adds a timed ID3 stream whose cues sit at their offsets from the first frame, payloads intact', () => {
    const payloads = ['{"v":1,"type":"reactions","counts":{"heart":3}}', 'Flashing lights — «attention» 🔥'];
    const out = injectTimedMetadata(segment, [
      { offsetSeconds: 1.25, payload: payloads[1] as string },
      { offsetSeconds: 0.5, payload: payloads[0] as string },
    ]);
    assert.ok(out);
    assert.equal(out.length % 188, 0);

    const probed = probe(out);
    const video = probed.streams.find((stream) => stream.codec_type === 'video');
    const data = probed.streams.find((stream) => stream.codec_type === 'data');
    assert.equal(data?.codec_name, 'timed_id3');
    assert.equal(Number(data?.id), METADATA_PID);
    const firstVideoPts = Math.min(
      ...probed.packets.filter((packet) => packet.stream_index === video?.index).map((packet) => packet.pts),
    );
    const cuePts = probed.packets
      .filter((packet) => packet.stream_index === data?.index)
      .map((packet) => packet.pts);
    assert.deepEqual(cuePts, [firstVideoPts + 45_000, firstVideoPts + 112_500]);

    const read = timedMetadata(out);
    assert.deepEqual(
      read.frames.map((frame) => frame.payload),
      payloads,
    );
    // Nothing else changed: the video plays as before.
    assert.equal(
      probed.packets.filter((packet) => packet.stream_index === video?.index).length,
      probe(segment).packets.length,
    );
  });

  it('keeps audio and video as they were, and takes a 1 KB payload', () => {
    const big = `{"text":"${'x'.repeat(1010)}"}`;
    const out = injectTimedMetadata(audioSegment, [{ offsetSeconds: 0, payload: big }]);
    assert.ok(out);
    const before = probe(audioSegment);
    const afterwards = probe(out);
    assert.deepEqual(
      afterwards.streams.map((stream) => stream.codec_type),
      ['video', 'audio', 'data'],
    );
    assert.equal(afterwards.packets.length, before.packets.length + 1);
    assert.deepEqual(
      timedMetadata(out).frames.map((frame) => frame.payload),
      [big],
    );
  });

  it('leaves alone what is not an MPEG-TS segment, and a segment asked to take nothing', () => {
    assert.equal(
      injectTimedMetadata(Buffer.from('not a transport stream'), [{ offsetSeconds: 0, payload: 'x' }]),
      undefined,
    );
    assert.equal(
      injectTimedMetadata(Buffer.alloc(188 * 3, 0x47), [{ offsetSeconds: 0, payload: 'x' }]),
      undefined,
    );
    assert.equal(injectTimedMetadata(segment, []), undefined);
  });

  it('adds the stream once when a segment that has it takes more cues', () => {
    const once = injectTimedMetadata(segment, [{ offsetSeconds: 0.1, payload: 'first' }]) as Buffer;
    const twice = injectTimedMetadata(once, [{ offsetSeconds: 0.9, payload: 'second' }]) as Buffer;
    const probed = probe(twice);
    assert.equal(probed.streams.filter((stream) => stream.codec_type === 'data').length, 1);
    assert.deepEqual(
      timedMetadata(twice)
        .frames.map((frame) => frame.payload)
        .sort(),
      ['first', 'second'],
    );
  });
});
