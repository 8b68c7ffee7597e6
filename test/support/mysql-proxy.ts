import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * Where a trap stops a transaction: `commit` holds its COMMIT before MariaDB sees it (the transaction
 * is rolled back when the connection dies); `committed` passes the COMMIT and holds MariaDB's answer
 * (the transaction is durable, the application never learns it).
 */
export type TrapPoint = 'commit' | 'committed';

/** One-shot: the first transaction whose SQL matches is stopped at `at`, then `sprung` is called. */
export interface Trap {
  matches: (transactionSql: string) => boolean;
  at: TrapPoint;
  sprung: () => void;
}

const COM_QUERY = 0x03;
const COM_STMT_PREPARE = 0x16;

/**
 * A TCP proxy between an application and MariaDB that reads the client's MySQL packets (no TLS, no
 * compression), keeps the SQL of each connection's open transaction, and can hold one transaction's
 * COMMIT or MariaDB's answer to it, so a test can kill the application at that exact point.
 */
export class MysqlProxy {
  trap: Trap | null = null;
  /**
   * Sees every command a client sends (a packet with sequence number 0: the first of a command;
   * handshake, auth and continuation packets have others) and its body, before it is passed on.
   */
  onCommand: ((command: number, body: Buffer) => void) | null = null;
  private readonly sockets = new Set<Socket>();

  /** Where the application connects instead of MariaDB (known once started). */
  port = 0;
  private readonly server: Server;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => this.pipe(client, target));
  }

  static async start(target: { host: string; port: number }): Promise<MysqlProxy> {
    const proxy = new MysqlProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    if (!address || typeof address === 'string') throw new Error('the proxy has no port');
    proxy.port = address.port;
    return proxy;
  }

  private pipe(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    this.sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    let pending = Buffer.alloc(0);
    let transaction = '';
    let held = false;
    let onAnswer: (() => void) | null = null;
    upstream.on('data', (chunk: Buffer) => {
      if (onAnswer) {
        held = true; // the COMMIT's answer stays here: the application never hears it
        const sprung = onAnswer;
        onAnswer = null;
        sprung();
        return;
      }
      if (!held) client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (!held && pending.length >= 4) {
        const length = pending.readUIntLE(0, 3);
        if (pending.length < 4 + length) break;
        const packet = pending.subarray(0, 4 + length);
        pending = pending.subarray(4 + length);
        const command = packet[4];
        if (packet[3] === 0 && length > 0) this.onCommand?.(command, packet.subarray(5));
        const sql =
          length > 0 && (command === COM_QUERY || command === COM_STMT_PREPARE)
            ? packet.subarray(5).toString('utf8').trim()
            : '';
        if (/^(START TRANSACTION|BEGIN)/i.test(sql)) transaction = '';
        else if (/^COMMIT/i.test(sql)) {
          const trap = this.trap;
          if (trap?.matches(transaction)) {
            this.trap = null;
            if (trap.at === 'commit') {
              held = true;
              trap.sprung();
            } else {
              onAnswer = trap.sprung; // called once MariaDB answered the COMMIT
              upstream.write(packet);
            }
            return;
          }
          transaction = '';
        } else if (sql) transaction += `${sql};\n`;
        upstream.write(packet);
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
