/**
 * A small RTMP ingest server: the simple handshake (C0/C1/C2, which ffmpeg and OBS accept for publishing),
 * the chunk stream, and the NetConnection/NetStream commands a publisher sends — connect, releaseStream,
 * FCPublish, createStream, publish, FCUnpublish, deleteStream. A publish names a stream key; `authorize`
 * decides at once: an unknown key gets `NetStream.Publish.BadName` and the connection is closed, a known one
 * `NetStream.Publish.Start`, and the audio, video and metadata that follow go to the returned sink as FLV.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { type Amf0Value, decodeAmf0, encodeAmf0 } from './amf0.ts';
import { FLV_TAG, flvHeader, flvTag, scriptTagData } from './flv.ts';
import {
  ChunkReader,
  MESSAGE_TYPE,
  type RtmpMessage,
  RtmpProtocolError,
  writeChunks,
} from './rtmp-chunks.ts';

const HANDSHAKE_BYTES = 1536;
/** Our chunk size towards the publisher (commands are small; 4096 is what most servers use). */
const OUT_CHUNK_SIZE = 4096;
const WINDOW_ACK_SIZE = 2_500_000;
/** A connection that completes no handshake or sends nothing for this long is closed. */
const IDLE_TIMEOUT_MS = 15_000;

/** Where a publish's media goes. */
export interface PublishSink {
  /** FLV bytes: the header first, then tags as they arrive. */
  write(bytes: Buffer): void;
  /** The publisher is gone (unpublished, disconnected, or closed by us). Called once. */
  end(): void;
}

/** A publishing connection, as the emulator sees it. */
export interface IngestSession {
  readonly remoteAddress: string;
  /** Closes the connection (StopStream, a revoked key); the sink's `end` follows. */
  close(): void;
}

export interface RtmpServerOptions {
  port: number;
  host?: string;
  /** Checks a stream key at publish: a sink to accept it, undefined to refuse it. */
  authorize(app: string, streamKey: string, session: IngestSession): PublishSink | undefined;
  /** A connection broke the protocol; it is closed. @default ignore */
  onError?(error: Error): void;
}

export interface RunningRtmpServer {
  port: number;
  close(): Promise<void>;
}

function controlMessage(typeId: number, payload: Buffer): RtmpMessage {
  return { chunkStreamId: 2, timestamp: 0, typeId, messageStreamId: 0, payload };
}

const uint32 = (value: number) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
};

function command(messageStreamId: number, ...values: Amf0Value[]): RtmpMessage {
  return {
    chunkStreamId: messageStreamId === 0 ? 3 : 5,
    timestamp: 0,
    typeId: MESSAGE_TYPE.commandAmf0,
    messageStreamId,
    payload: encodeAmf0(...values),
  };
}

/** Serves one connection: handshake, then messages. */
function serveConnection(socket: Socket, options: RtmpServerOptions): void {
  let stage: 'c0c1' | 'c2' | 'messages' = 'c0c1';
  let pending: Buffer = Buffer.alloc(0);
  const reader = new ChunkReader();
  let app = '';
  let sink: PublishSink | undefined;
  let received = 0;
  let acknowledged = 0;
  let peerWindow = WINDOW_ACK_SIZE;
  let closed = false;
  const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;

  const send = (message: RtmpMessage) => {
    if (!socket.destroyed) socket.write(writeChunks(message, OUT_CHUNK_SIZE));
  };
  const endPublish = () => {
    const ending = sink;
    sink = undefined;
    ending?.end();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    endPublish();
    socket.end();
    // A publisher that keeps writing into a half-closed socket is cut off.
    setTimeout(() => socket.destroy(), 1000).unref();
  };
  const session: IngestSession = { remoteAddress, close };

  socket.setNoDelay(true);
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.on('close', () => {
    closed = true;
    endPublish();
  });
  socket.on('error', () => {
    // A reset by the publisher is an ordinary way to stop; 'close' follows.
  });

  function onCommand(message: RtmpMessage): void {
    const payload =
      message.typeId === MESSAGE_TYPE.commandAmf3 ? message.payload.subarray(1) : message.payload;
    const [name, transaction, commandObject, ...args] = decodeAmf0(payload);
    const txn = typeof transaction === 'number' ? transaction : 0;
    switch (name) {
      case 'connect': {
        const info = (commandObject ?? {}) as Record<string, Amf0Value>;
        app = typeof info.app === 'string' ? info.app.replace(/\/+$/, '') : '';
        send(controlMessage(MESSAGE_TYPE.windowAckSize, uint32(WINDOW_ACK_SIZE)));
        send(
          controlMessage(
            MESSAGE_TYPE.setPeerBandwidth,
            Buffer.concat([uint32(WINDOW_ACK_SIZE), Buffer.from([2])]),
          ),
        );
        send(controlMessage(MESSAGE_TYPE.setChunkSize, uint32(OUT_CHUNK_SIZE)));
        send(
          command(
            0,
            '_result',
            txn,
            { fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 },
            {
              level: 'status',
              code: 'NetConnection.Connect.Success',
              description: 'Connection succeeded.',
              objectEncoding: 0,
            },
          ),
        );
        return;
      }
      case 'createStream':
        send(command(0, '_result', txn, null, 1));
        return;
      case 'releaseStream':
      case 'FCPublish':
      case 'FCUnpublish':
        if (txn > 0) send(command(0, '_result', txn, null, undefined));
        if (name === 'FCUnpublish') endPublish();
        return;
      case 'publish': {
        const streamKey = typeof args[0] === 'string' ? args[0] : '';
        const streamId = message.messageStreamId || 1;
        const accepted = sink ? undefined : options.authorize(app, streamKey, session);
        if (!accepted) {
          send(
            command(streamId, 'onStatus', 0, null, {
              level: 'error',
              code: 'NetStream.Publish.BadName',
              description: 'The stream key is not valid.',
            }),
          );
          close();
          return;
        }
        sink = accepted;
        // User control Stream Begin for the stream, then the status the publisher waits for.
        send(
          controlMessage(MESSAGE_TYPE.userControl, Buffer.concat([Buffer.from([0, 0]), uint32(streamId)])),
        );
        send(
          command(streamId, 'onStatus', 0, null, {
            level: 'status',
            code: 'NetStream.Publish.Start',
            description: 'Publishing.',
          }),
        );
        sink.write(flvHeader());
        return;
      }
      case 'deleteStream':
      case 'closeStream':
        endPublish();
        return;
      default:
        if (txn > 0) send(command(0, '_result', txn, null, undefined));
    }
  }

  function onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MESSAGE_TYPE.windowAckSize:
        if (message.payload.length >= 4) peerWindow = message.payload.readUInt32BE(0) || WINDOW_ACK_SIZE;
        return;
      case MESSAGE_TYPE.commandAmf0:
      case MESSAGE_TYPE.commandAmf3:
        onCommand(message);
        return;
      case MESSAGE_TYPE.audio:
        sink?.write(flvTag(FLV_TAG.audio, message.timestamp, message.payload));
        return;
      case MESSAGE_TYPE.video:
        sink?.write(flvTag(FLV_TAG.video, message.timestamp, message.payload));
        return;
      case MESSAGE_TYPE.dataAmf0:
        sink?.write(flvTag(FLV_TAG.script, message.timestamp, scriptTagData(message.payload)));
        return;
      default:
      // Set Chunk Size is applied by the reader; acknowledgements, bandwidth and user control need no answer.
    }
  }

  socket.on('data', (bytes: Buffer) => {
    if (closed) return;
    received += bytes.length;
    try {
      if (stage !== 'messages') {
        pending = Buffer.concat([pending, bytes]);
        if (stage === 'c0c1') {
          if (pending.length < 1 + HANDSHAKE_BYTES) return;
          if (pending[0] !== 3) throw new RtmpProtocolError(`RTMP version ${pending[0]} is not supported`);
          const c1 = pending.subarray(1, 1 + HANDSHAKE_BYTES);
          const s1 = Buffer.concat([Buffer.alloc(8), randomBytes(HANDSHAKE_BYTES - 8)]);
          s1.writeUInt32BE(Math.floor(performance.now()) >>> 0, 0);
          socket.write(Buffer.concat([Buffer.from([3]), s1, c1]));
          pending = pending.subarray(1 + HANDSHAKE_BYTES);
          stage = 'c2';
        }
        if (stage === 'c2') {
          if (pending.length < HANDSHAKE_BYTES) return;
          const rest = pending.subarray(HANDSHAKE_BYTES);
          pending = Buffer.alloc(0);
          stage = 'messages';
          if (rest.length === 0) return;
          bytes = rest;
        }
      }
      for (const message of reader.push(bytes)) onMessage(message);
      if (received - acknowledged >= peerWindow) {
        acknowledged = received;
        send(controlMessage(MESSAGE_TYPE.acknowledgement, uint32(received)));
      }
    } catch (error) {
      options.onError?.(error as Error);
      socket.destroy();
    }
  });
}

/** Starts listening; `port` 0 picks a free one. */
export function startRtmpServer(options: RtmpServerOptions): Promise<RunningRtmpServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, options);
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`RTMP port ${options.port} is already in use. Set RTMP_PORT to another port.`)
          : error,
      ),
    );
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolveStart({
        port,
        close: () =>
          new Promise<void>((resolveClose) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolveClose());
          }),
      });
    });
  });
}
