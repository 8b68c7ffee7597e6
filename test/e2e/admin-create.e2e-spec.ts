import { TestApi, TestEnvironment } from '../support/test-environment';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuthClient, STRONG_PASSWORD, uniqueEmail } from '../support/auth-client';
import { CompiledApp, servicesEnvironment } from '../support/processes';

const ROOT = join(__dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as an operator runs it, in its own process with the environment's database and Redis and
 * `stdin` piped in when given (else /dev/null): `npm run admin:create -- <args>` (ts-node on
 * src/cli/admin-create.ts, as the npm script), or with `compiled` the built entry the way the Docker
 * image runs it, `node dist/src/cli/admin-create.js <args>`: from a folder holding only the compiled
 * app, with the repository's node_modules on NODE_PATH and neither ts-node nor scripts/ involved.
 */
function adminCreate(
  config: TestEnvironment['config'],
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; compiled?: CompiledApp } = {},
): Promise<Run> {
  const { compiled } = options;
  const child = spawn(
    process.execPath,
    compiled
      ? [compiled.path('src/cli/admin-create.ts'), ...args]
      : ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'src/cli/admin-create.ts', ...args],
    {
      cwd: compiled ? compiled.folder : ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...(compiled ? { NODE_PATH: join(ROOT, 'node_modules') } : { TS_NODE_TRANSPILE_ONLY: 'true' }),
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        ...servicesEnvironment(config),
        ...options.env,
      },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    },
  );
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('admin:create: the first admin of a shop, from the command line (from source and built)', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let client: AuthClient;
  let compiled: CompiledApp;

  const counts = async () => {
    const [row] = await db.query<Array<{ users: string; audit: string }>>(
      'SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM audit_log) AS audit',
    );
    return { users: Number(row.users), audit: Number(row.audit) };
  };
  const auditOf = (email: string) =>
    db.query<Array<{ actor_type: string; actor_id: string; action: string; details: unknown; ip: string }>>(
      `SELECT a.actor_type, a.actor_id, a.action, a.details, a.ip FROM audit_log a
         JOIN users u ON u.id = a.target_id AND a.target_type = 'user' WHERE u.email = ? ORDER BY a.id`,
      [email],
    );
  const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
  const roleOf = async (email: string, password: string) => {
    const login = await client.login(email, password);
    if (login.status !== 200) return `login ${login.status}`;
    return (await client.get<{ role: string }>('/v1/me', login.body.accessToken)).body.role;
  };

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi(); // creates and migrates the database
    db = api.app.get(DataSource);
    client = new AuthClient(api.baseUrl);
    compiled = await CompiledApp.build();
  }, 60_000);
  afterAll(async () => {
    await compiled?.remove();
    await env.cleanup();
  });

  it('creates an admin with the password piped on stdin, and again changes nothing', async () => {
    const email = uniqueEmail('admin');
    const created = await adminCreate(env.config, ['--email', email.toUpperCase()], {
      stdin: `${STRONG_PASSWORD}\n`,
    });
    expect(created).toEqual({
      code: 0,
      stdout: expect.stringContaining(`created admin ${email}`),
      stderr: '',
    });
    expect(created.stdout).not.toContain(STRONG_PASSWORD);
    expect(await roleOf(email, STRONG_PASSWORD)).toBe('admin');
    const audit = await auditOf(email);
    expect(audit.map((row) => ({ ...row, details: json(row.details) }))).toEqual([
      {
        actor_type: 'system',
        actor_id: 'admin-create',
        action: 'user.created',
        details: { role: 'admin', emailVerified: true },
        ip: '',
      },
    ]);

    const before = await counts();
    const again = await adminCreate(env.config, ['--email', email], { stdin: 'another passphrase entirely' });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is already admin; nothing changed');
    expect(again.stdout).toContain('the password was not changed');
    expect(await counts()).toEqual(before);
    expect(await roleOf(email, STRONG_PASSWORD)).toBe('admin');
  }, 60_000);

  it('promotes an existing customer (their sessions end), and never lowers a role', async () => {
    const email = uniqueEmail('customer');
    expect(
      (await client.post('/v1/auth/register', { email, password: STRONG_PASSWORD, name: 'Cu' })).status,
    ).toBe(202);
    const session = await client.login(email);
    expect((await client.get('/v1/me', session.body.accessToken)).status).toBe(200);

    const promoted = await adminCreate(env.config, ['--email', email, '--role', 'staff']);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(`promoted ${email}`);
    expect(promoted.stdout).toContain('from customer to staff');
    // The customer's token carried the old permissions: it no longer works, on any replica.
    expect((await client.get('/v1/me', session.body.accessToken)).status).toBe(401);
    expect(await roleOf(email, STRONG_PASSWORD)).toBe('staff');

    const raised = await adminCreate(env.config, ['--email', email]);
    expect(raised.stdout).toContain('from staff to admin');
    const notLowered = await adminCreate(env.config, ['--email', email, '--role', 'staff']);
    expect(notLowered.stdout).toContain('is already admin; nothing changed');
    expect(await roleOf(email, STRONG_PASSWORD)).toBe('admin');

    const audit = await auditOf(email);
    expect(audit.map((row) => [row.actor_id, row.action, json(row.details)])).toEqual([
      ['admin-create', 'user.role-changed', { from: 'customer', to: 'staff' }],
      ['admin-create', 'user.role-changed', { from: 'staff', to: 'admin' }],
    ]);
  }, 90_000);

  it.each([
    ['a common password', ['--email', 'weak@example.test'], { ADMIN_PASSWORD: 'password123' }, /most common/],
    ['a short password', ['--email', 'short@example.test'], { ADMIN_PASSWORD: 'abc' }, /at least 8/],
    ['a bad email', ['--email', 'not-an-email'], {}, /is not an email address/],
    ['no email', ['--role', 'admin'], {}, /--email is required/],
    ['a customer role', ['--email', 'cust@example.test', '--role', 'customer'], {}, /staff or admin/],
    ['an unknown role', ['--email', 'cust@example.test', '--role', 'owner'], {}, /role must be one of/],
  ])(
    'refuses %s with exit code 2 and writes nothing',
    async (_label, args, extraEnv, message) => {
      const before = await counts();
      const run = await adminCreate(env.config, args, { env: extraEnv });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('nothing was written');
      expect(run.stdout).toBe('');
      expect(await counts()).toEqual(before);
    },
    60_000,
  );

  it('runs built, as in the Docker image: --help, and bad input refused before any configuration is read', async () => {
    const help = await adminCreate(env.config, ['--help'], { compiled });
    expect(help).toEqual({
      code: 0,
      stdout: expect.stringContaining('node dist/src/cli/admin-create.js'),
      stderr: '',
    });
    // NODE_ENV=production with nothing else set: input is checked first (exit 2, not 78).
    const refused = await adminCreate(env.config, ['--email', 'nope'], {
      compiled,
      env: { NODE_ENV: 'production' },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not an email address');
  }, 60_000);

  it('works built with production config and, given no password, generates one and prints it once', async () => {
    const email = uniqueEmail('ops');
    const run = await adminCreate(env.config, ['--email', email, '--name', 'Ops Person'], {
      compiled,
      env: {
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEYS: `prod:${randomBytes(32).toString('base64')}`,
        SMTP_HOST: '127.0.0.1',
      },
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const [, password] = /generated password \(shown once; store it now\): (\S+)/.exec(run.stdout) ?? [];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(run.stdout.split(password)).toHaveLength(2); // printed exactly once
    expect(await roleOf(email, password)).toBe('admin');
    const [user] = await db.query<Array<{ name: string }>>('SELECT name FROM users WHERE email = ?', [email]);
    expect(user.name).toBe('Ops Person');
    const audit = await auditOf(email);
    expect(audit.map((row) => [row.actor_id, row.action])).toEqual([['admin-create', 'user.created']]);
  }, 60_000);

  it('in production, a missing required setting is bad configuration (exit 78) and nothing is written', async () => {
    const before = await counts();
    const run = await adminCreate(env.config, ['--email', uniqueEmail('ops')], {
      compiled,
      env: { NODE_ENV: 'production', ENCRYPTION_KEYS: `prod:${randomBytes(32).toString('base64')}` },
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/SMTP_HOST is missing/);
    expect(await counts()).toEqual(before);
  }, 60_000);
});
