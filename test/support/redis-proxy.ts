import { connect, createServer, type Server, type Socket } from 'node:net';

interface Piped {
  client: Socket;
  upstream: Socket;
  /** Everything the client sent so far (kept only until it is known which connection this is). */
  named: string | undefined;
  sent: string;
}

/**
 * A TCP proxy between an application and Redis that tells one named connection (ioredis sends
 * `CLIENT SETNAME` first) from the others: a test can cut that connection alone and keep it from
 * coming back, while the application's other connections carry on; and it records what the others
 * send (RESP text), to show what an application asked Redis for.
 */
export class RedisProxy {
  /** Where the application connects instead of Redis (known once started). */
  port = 0;
  private readonly server: Server;
  private readonly pipes = new Set<Piped>();
  private refused: string | undefined;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => this.pipe(client, target));
  }

  static async start(target: { host: string; port: number }): Promise<RedisProxy> {
    const proxy = new RedisProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    if (!address || typeof address === 'string') throw new Error('the proxy has no port');
    proxy.port = address.port;
    return proxy;
  }

  /** Closes every connection whose name contains `name`, and every new one, until `admit`. */
  cut(name: string): void {
    this.refused = name;
    for (const piped of this.pipes) if (piped.named?.includes(name)) this.close(piped);
  }

  admit(): void {
    this.refused = undefined;
  }

  /** Whether a connection whose name contains `name` is open now. */
  connected(name: string): boolean {
    return [...this.pipes].some((piped) => piped.named?.includes(name));
  }

  /** What the connections not named `name` sent since the last call (RESP, as text). */
  takeSentByOthers(name: string): string {
    let sent = '';
    for (const piped of this.pipes) {
      if (piped.named?.includes(name)) continue;
      sent += piped.sent;
      piped.sent = '';
    }
    return sent;
  }

  async stop(): Promise<void> {
    for (const piped of this.pipes) this.close(piped);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    const piped: Piped = { client, upstream, named: undefined, sent: '' };
    this.pipes.add(piped);
    const close = () => this.close(piped);
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      piped.sent += text;
      // The first command of a named ioredis connection: *3 $6 client $7 setname $n <name>.
      piped.named ??= /setname\r\n\$\d+\r\n([^\r]*)\r\n/i.exec(piped.sent)?.[1];
      if (this.refused !== undefined && piped.named?.includes(this.refused)) return this.close(piped);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  }

  private close(piped: Piped): void {
    piped.client.destroy();
    piped.upstream.destroy();
    this.pipes.delete(piped);
  }
}
