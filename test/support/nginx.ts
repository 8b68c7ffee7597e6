import { checkedFetch } from '@app/testing';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process-tree';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '../..');
/** The configuration docker-compose runs: the test proxy is derived from it, not written again. */
export const DEPLOY_NGINX_CONF = join(ROOT, 'deploy/nginx.conf');

/** The TLS listener of deploy/nginx.conf, kept: on `port`, with the certificate files read from `certDir`. */
export interface NginxTls {
  port: number;
  certDir: string;
}

/** One line of the JSON access log deploy/nginx.conf writes (`log_format storekeep`). */
export interface NginxAccessEntry {
  time: string;
  method: string;
  uri: string;
  status: number;
  upstream: string;
  upstream_status: string;
}

/**
 * deploy/nginx.conf rewritten for a private nginx on this machine: everything that is about the proxy's
 * behaviour (upstream failover, keepalive, timeouts, headers, the event-stream location) stays as it
 * is; only what belongs to the container changes (the replicas' addresses instead of Docker's DNS
 * name, a local port, files under `prefix`, a foreground master). Fails when an expected line is
 * missing, so a change to the deployed file that this cannot follow breaks the test, not silently it.
 */
export function nginxConfigFrom(
  source: string,
  prefix: string,
  port: number,
  upstreams: string[],
  tls?: NginxTls,
): string {
  let config = source;
  const replace = (pattern: RegExp, replacement: string | ((...groups: string[]) => string)) => {
    if (!pattern.test(config)) throw new Error(`deploy/nginx.conf no longer has ${String(pattern)}`);
    config = config.replace(pattern, replacement as string);
  };
  // Run by the test (root in CI, a developer otherwise): no `user` switch, one worker, foreground.
  replace(/^user .*;$/m, `daemon off;\npid ${prefix}/nginx.pid;`);
  replace(/^worker_processes .*;$/m, 'worker_processes 1;');
  replace(/^error_log \S+ (\w+);.*$/m, 'error_log stderr $1;');
  replace(/\/var\/log\/nginx\//g, `${prefix}/logs/`);
  // Debian's nginx (1.22) has no `resolve` (open source since 1.27.3); the replicas are fixed here.
  replace(/^(\s*)server api:3000 resolve (.*);$/m, (_line, indent, parameters) =>
    upstreams.map((address) => `${indent}server ${address} ${parameters};`).join('\n'),
  );
  replace(/^(\s*)resolver .*;\n\s*resolver_timeout .*;\n/m, '');
  replace(/^(\s*)listen 80 default_server;$/m, `$1listen 127.0.0.1:${port} default_server;`);
  if (tls) {
    // docker-compose's TLS listener on a local port, its certificates (mounted at /etc/nginx/certs there) from tls.certDir.
    replace(/^(\s*)listen 443 ssl default_server;$/m, `$1listen 127.0.0.1:${tls.port} ssl default_server;`);
    replace(/\/etc\/nginx\/certs\//g, `${tls.certDir}/`);
  } else {
    // Plain http only: the TLS listener (a certificate docker-compose mounts) would take port 443.
    replace(/^\s*listen 443 ssl default_server;\n/m, '');
  }
  // A test-only change to the proxy's behaviour, for the load tool: autocannon ignores `Connection:
  // close` and writes its next request onto the client connection nginx closes after
  // keepalive_requests (1000), an ECONNRESET of the tool's own (seen once in ~25,000 requests) that
  // browsers and HTTP libraries, which reconnect, never meet.
  replace(/^(\s*)(keepalive_timeout \S+;)$/m, '$1$2\n$1keepalive_requests 1000000;');
  // The compiled-in temporary folders are /var/lib/nginx/*: keep everything under the prefix.
  replace(
    /^http \{$/m,
    'http {\n' +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((kind) => `    ${kind}_temp_path ${prefix}/${kind};`)
        .join('\n'),
  );
  return config;
}

/** The nginx binary: on PATH or where Debian's package puts it (scripts/services.sh installs it). */
function nginxBinary(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  if (existsSync('/usr/sbin/nginx')) return '/usr/sbin/nginx';
  throw new Error(
    'nginx is not installed: run scripts/services.sh as root (it installs it), or apt-get install nginx',
  );
}

/**
 * A private nginx in front of API replicas, with its own port, configuration and folder (never the
 * system's), configured from deploy/nginx.conf. Its JSON access log tells which replica answered.
 */
export class Nginx {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly prefix: string,
    readonly port: number,
    private readonly output: () => string,
    /** The TLS listener's port and certificate folder, when started with `{ tls: true }`. */
    readonly tls?: NginxTls,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts nginx proxying to `upstreams` (`host:port` each); resolves once it answers. With `tls`, the
   * TLS listener stays too, on a port of its own, reading its certificate from `<prefix>/certs` (empty
   * at first: write one there, e.g. with scripts/make-local-cert.sh --dir).
   */
  static async start(upstreams: string[], options: { tls?: boolean } = {}): Promise<Nginx> {
    const binary = nginxBinary();
    const prefix = await mkdtemp(join(tmpdir(), 'storekeep-nginx-'));
    // Run as root, nginx's workers are `nobody`: they must reach the logs and temporary folders.
    await chmod(prefix, 0o755);
    await mkdir(join(prefix, 'logs'), { mode: 0o777 });
    await chmod(join(prefix, 'logs'), 0o777);
    const port = await freePort();
    let tls: NginxTls | undefined;
    if (options.tls) {
      tls = { port: await freePort(), certDir: join(prefix, 'certs') };
      await mkdir(tls.certDir);
      await chmod(tls.certDir, 0o755); // nginx's workers read the certificate at each handshake
    }
    const config = nginxConfigFrom(await readFile(DEPLOY_NGINX_CONF, 'utf8'), prefix, port, upstreams, tls);
    await writeFile(join(prefix, 'nginx.conf'), config);
    // Its own process group: stop() ends the master and its workers together, whatever happens.
    const child = spawn(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const nginx = new Nginx(child, exited, prefix, port, () => output, tls);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`nginx exited: ${output}`);
          return checkedFetch(`${nginx.url}/nginx-health`, {
            uncheckedBecause: "nginx's own health location, not an API route",
          }).then(
            (response) => response.ok,
            () => false,
          );
        },
        10_000,
        'nginx to answer',
      );
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  /** What nginx wrote to stderr (its error log): upstream failures and retries show here. */
  errors(): string {
    return this.output();
  }

  /** Every request logged so far, oldest first. */
  async accessLog(): Promise<NginxAccessEntry[]> {
    const text = await readFile(join(this.prefix, 'logs/access.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as NginxAccessEntry);
  }

  /** Fast shutdown of the master and its workers, then its folder is removed. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid) {
      this.child.kill('SIGTERM');
      const late = setTimeout(() => {
        if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
      }, 5_000);
      await this.exited;
      clearTimeout(late);
    }
    await rm(this.prefix, { recursive: true, force: true });
  }
}
