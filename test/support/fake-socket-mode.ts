/**
 * Socket Mode's side of Slack: the WebSocket that apps.connections.open hands out. It greets with
 * `hello`, sends envelopes the way Slack does, and resolves each one with the app's ack payload.
 */
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: unknown;
}

export class FakeSocketMode {
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, (ack: SocketAck) => void>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly port: number,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data: Buffer) => {
        const ack = JSON.parse(data.toString()) as SocketAck;
        this.pending.get(ack.envelope_id)?.(ack);
        this.pending.delete(ack.envelope_id);
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack' } }));
    });
  }

  static async start(): Promise<FakeSocketMode> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake-socket-mode: expected a TCP address');
    return new FakeSocketMode(server, address.port);
  }

  /** What apps.connections.open answers: a fresh ticket each time, as Slack rotates them. */
  connectionUrl(): string {
    return `ws://127.0.0.1:${this.port}/link/?ticket=${randomUUID()}`;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Sends one envelope to every connected app and waits for the first ack. */
  send(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown, timeoutMs = 3_000): Promise<SocketAck> {
    const envelopeId = randomUUID();
    const acked = new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      retry_attempt: 0,
      retry_reason: '',
    };
    for (const socket of this.sockets) socket.send(JSON.stringify(envelope));
    return acked;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
