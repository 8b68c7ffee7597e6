import { join } from 'node:path';
import { ConfigValidationError, loadConfig, loadConfigOrExit } from './app-config';

describe('loadConfig', () => {
  it('works with no environment at all, using the dev defaults of this machine', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.http.port).toBe(3000);
    expect(config.database).toEqual(
      expect.objectContaining({
        host: '127.0.0.1',
        port: 3306,
        user: 'root',
        password: '',
        createIfMissing: true,
        migrationsRun: true,
      }),
    );
    expect(config.redis).toEqual(
      expect.objectContaining({ host: '127.0.0.1', port: 6379, password: undefined }),
    );
    expect(config.http.corsOrigins).toBe(false);
  });

  it('parses numbers, booleans and lists from strings', () => {
    const config = loadConfig({
      PORT: '8080',
      DB_MIGRATIONS_RUN: 'false',
      HTTP_TRUST_PROXY: 'yes',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.http.port).toBe(8080);
    expect(config.database.migrationsRun).toBe(false);
    expect(config.http.trustProxy).toBe(true);
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('takes the store time zone as an IANA name, UTC by default, and refuses an unknown one', () => {
    expect(loadConfig({}).analytics.storeTimeZone).toBe('UTC');
    expect(loadConfig({ STORE_TIME_ZONE: 'Europe/Berlin' }).analytics.storeTimeZone).toBe('Europe/Berlin');
    expect(() => loadConfig({ STORE_TIME_ZONE: 'Europe/Atlantis' })).toThrow(
      /STORE_TIME_ZONE must be an IANA time zone/,
    );
    expect(() => loadConfig({ STORE_TIME_ZONE: '+02:00x' })).toThrow(/STORE_TIME_ZONE/);
  });

  it('has no read replica unless DB_REPLICA_HOSTS names one; parses host[:port] lists', () => {
    expect(loadConfig({}).database.replica).toBeUndefined();
    const config = loadConfig({
      DB_PORT: '3307',
      DB_USER: 'shop',
      DB_PASSWORD: 'secret',
      DB_REPLICA_HOSTS: 'replica-1, 10.0.0.7:3310,[::1]:3311',
    });
    expect(config.database.replica).toEqual({
      hosts: [
        { host: 'replica-1', port: 3307 },
        { host: '10.0.0.7', port: 3310 },
        { host: '::1', port: 3311 },
      ],
      user: 'shop',
      password: 'secret',
      catchUpWaitMs: 200,
    });
    const own = loadConfig({
      DB_REPLICA_HOSTS: 'r',
      DB_REPLICA_USER: 'reader',
      DB_REPLICA_PASSWORD: 'pw',
      DB_REPLICA_WAIT_MS: '50',
    }).database.replica;
    expect(own).toEqual(expect.objectContaining({ user: 'reader', password: 'pw', catchUpWaitMs: 50 }));
    for (const bad of ['a;b', 'db:port', 'a,,b', 'host:3306:1'])
      expect(() => loadConfig({ DB_REPLICA_HOSTS: bad })).toThrow(/DB_REPLICA_HOSTS must be host\[:port\]/);
    expect(() => loadConfig({ DB_REPLICA_HOSTS: 'db:70000' })).toThrow(/port 70000/);
    expect(() => loadConfig({ DB_REPLICA_WAIT_MS: '-1' })).toThrow(/DB_REPLICA_WAIT_MS/);
  });

  it('rejects malformed settings with one error naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DB_PORT: '0',
        LOG_LEVEL: 'loud',
        DB_NAME: 'bad-name; DROP',
        HTTP_TRUST_PROXY: 'maybe',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const { problems, message } = error as ConfigValidationError;
    const named = problems.map((problem) => problem.split('=')[0]).sort();
    expect(named).toEqual(['DB_NAME', 'DB_PORT', 'HTTP_TRUST_PROXY', 'LOG_LEVEL', 'PORT']);
    for (const name of named) expect(message).toContain(name);
  });

  it('in production, requires the service addresses and refuses to create databases', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /DB_HOST is missing[\s\S]*DB_NAME is missing[\s\S]*REDIS_HOST is missing/,
    );
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DB_HOST: 'db',
        DB_NAME: 'shop',
        REDIS_HOST: 'cache',
        DB_CREATE_IF_MISSING: 'true',
      }),
    ).toThrow(/DB_CREATE_IF_MISSING/);
    const secrets = {
      AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    };
    const config = loadConfig({
      NODE_ENV: 'production',
      DB_HOST: 'db',
      DB_NAME: 'shop',
      REDIS_HOST: 'cache',
      SMTP_HOST: 'smtp.example.com',
      ...secrets,
    });
    expect(config.database.createIfMissing).toBe(false);
    expect(config.database.migrationsRun).toBe(false);
  });

  it('in production, requires SMTP_HOST rather than mailing the dev catcher on 127.0.0.1:1025, and exits 78 naming it', () => {
    const production = {
      NODE_ENV: 'production',
      DB_HOST: 'db',
      DB_NAME: 'shop',
      REDIS_HOST: 'cache',
      AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    };
    expect(() => loadConfig(production)).toThrow(/SMTP_HOST is missing: required when NODE_ENV=production/);
    expect(loadConfig({ ...production, SMTP_HOST: 'smtp.example.com' }).mail).toEqual(
      expect.objectContaining({ host: 'smtp.example.com', port: 1025 }),
    );
    expect(loadConfig({}).mail).toEqual(expect.objectContaining({ host: '127.0.0.1', port: 1025 }));

    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exited');
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => loadConfigOrExit(production)).toThrow('exited');
      expect(exit).toHaveBeenCalledWith(78);
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('SMTP_HOST is missing'));
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });

  it('in production, refuses the public dev secrets and weak ones', () => {
    const base = { NODE_ENV: 'production', DB_HOST: 'db', DB_NAME: 'shop', REDIS_HOST: 'cache' };
    expect(() => loadConfig(base)).toThrow(/AUTH_JWT_SECRET is missing[\s\S]*ENCRYPTION_KEYS is missing/);
    expect(() =>
      loadConfig({
        ...base,
        AUTH_JWT_SECRET: 'dev-only-jwt-secret-never-use-in-production',
        ENCRYPTION_KEYS: 'dev:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZSE=',
      }),
    ).toThrow(/AUTH_JWT_SECRET is the public dev secret[\s\S]*ENCRYPTION_KEYS is the public dev key/);
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET must be at least 32/);
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toThrow(/ENCRYPTION_KEYS must be/);
    expect(() => loadConfig({ AUTH_ARGON2_MEMORY_KIB: '4096' })).toThrow(/AUTH_ARGON2_MEMORY_KIB/);
  });

  describe('docs and metrics exposure', () => {
    const production = {
      NODE_ENV: 'production',
      DB_HOST: 'db',
      DB_NAME: 'shop',
      REDIS_HOST: 'cache',
      SMTP_HOST: 'mail',
      AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    };
    const token = 'prometheus-scrape-token-0123456789abcdef';

    it('serves /docs by default in development and test, not in production unless DOCS_ENABLED=true', () => {
      expect(loadConfig({}).http.docsEnabled).toBe(true);
      expect(loadConfig({ NODE_ENV: 'test' }).http.docsEnabled).toBe(true);
      expect(loadConfig({ DOCS_ENABLED: 'false' }).http.docsEnabled).toBe(false);
      expect(loadConfig(production).http.docsEnabled).toBe(false);
      expect(loadConfig({ ...production, DOCS_ENABLED: '' }).http.docsEnabled).toBe(false);
      expect(loadConfig({ ...production, DOCS_ENABLED: 'true' }).http.docsEnabled).toBe(true);
      expect(() => loadConfig({ DOCS_ENABLED: 'sometimes' })).toThrow(/DOCS_ENABLED/);
    });

    it('finds the dashboard build in dist/dashboard under the working directory unless DASHBOARD_DIR says', () => {
      expect(loadConfig({}).http.dashboardDir).toBe(join(process.cwd(), 'dist', 'dashboard'));
      expect(loadConfig({ DASHBOARD_DIR: '/srv/dashboard' }).http.dashboardDir).toBe('/srv/dashboard');
    });

    it('opens /metrics in development and test, serves it in production only with METRICS_TOKEN', () => {
      expect(loadConfig({}).http.metrics).toEqual({ access: 'open' });
      expect(loadConfig({ NODE_ENV: 'test' }).http.metrics).toEqual({ access: 'open' });
      expect(loadConfig(production).http.metrics).toEqual({ access: 'off' });
      expect(loadConfig({ ...production, METRICS_TOKEN: token }).http.metrics).toEqual({
        access: 'token',
        token,
      });
      expect(loadConfig({ METRICS_TOKEN: token }).http.metrics).toEqual({ access: 'token', token });
    });

    it('refuses a short or malformed METRICS_TOKEN', () => {
      expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 32/);
      expect(() => loadConfig({ METRICS_TOKEN: `${token} with spaces` })).toThrow(
        /METRICS_TOKEN must be printable ASCII/,
      );
    });
  });

  it('reads rotated encryption keys with the first one active', () => {
    const [k1, k2] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const config = loadConfig({
      ENCRYPTION_KEYS: `new:${k2.toString('base64')},old:${k1.toString('base64')}`,
    });
    expect(config.encryption.activeKeyId).toBe('new');
    expect(config.encryption.keys.get('old')).toEqual(k1);
  });

  it("sets how jobs of a dead worker are rerun: Bull's 30 s lock and check, five reruns", () => {
    expect(loadConfig({}).worker).toEqual(
      expect.objectContaining({ jobLockMs: 30_000, stalledCheckIntervalMs: 30_000, maxStalledCount: 5 }),
    );
    const quick = loadConfig({
      WORKER_JOB_LOCK_MS: '2000',
      WORKER_STALLED_CHECK_INTERVAL_MS: '1000',
      WORKER_MAX_STALLED_COUNT: '2',
    });
    expect(quick.worker).toEqual(
      expect.objectContaining({ jobLockMs: 2000, stalledCheckIntervalMs: 1000, maxStalledCount: 2 }),
    );
    expect(() => loadConfig({ WORKER_JOB_LOCK_MS: '10' })).toThrow(/WORKER_JOB_LOCK_MS/);
    expect(() => loadConfig({ WORKER_MAX_STALLED_COUNT: '0' })).toThrow(/WORKER_MAX_STALLED_COUNT/);
  });

  it('never lets reconciliation fail payments younger than five minutes (the provider search lags)', () => {
    expect(loadConfig({}).payments.reconcileAfterSeconds).toBe(900);
    expect(loadConfig({ PAYMENTS_RECONCILE_AFTER_SECONDS: '300' }).payments.reconcileAfterSeconds).toBe(300);
    expect(() => loadConfig({ PAYMENTS_RECONCILE_AFTER_SECONDS: '60' })).toThrow(
      /PAYMENTS_RECONCILE_AFTER_SECONDS/,
    );
  });

  it('holds bank transfers 7 days and reminds 48 hours before, within bounds, the reminder inside the hold', () => {
    expect(loadConfig({}).payments).toEqual(
      expect.objectContaining({
        bankTransferHoldDays: 7,
        bankTransferReminderHours: 48,
        bankTransferInstructions: '',
      }),
    );
    const set = loadConfig({
      PAYMENT_BANK_TRANSFER_HOLD_DAYS: '14',
      PAYMENT_BANK_TRANSFER_REMINDER_HOURS: '0',
      PAYMENT_BANK_TRANSFER_INSTRUCTIONS: ' IBAN DE89 3704 0044 0532 0130 00 ',
    }).payments;
    expect(set).toEqual(
      expect.objectContaining({
        bankTransferHoldDays: 14,
        bankTransferReminderHours: 0,
        bankTransferInstructions: 'IBAN DE89 3704 0044 0532 0130 00',
      }),
    );
    for (const days of ['0', '31', 'seven'])
      expect(() => loadConfig({ PAYMENT_BANK_TRANSFER_HOLD_DAYS: days })).toThrow(
        /PAYMENT_BANK_TRANSFER_HOLD_DAYS/,
      );
    expect(() => loadConfig({ PAYMENT_BANK_TRANSFER_REMINDER_HOURS: '-1' })).toThrow(
      /PAYMENT_BANK_TRANSFER_REMINDER_HOURS/,
    );
    expect(() =>
      loadConfig({ PAYMENT_BANK_TRANSFER_HOLD_DAYS: '2', PAYMENT_BANK_TRANSFER_REMINDER_HOURS: '48' }),
    ).toThrow(/PAYMENT_BANK_TRANSFER_REMINDER_HOURS must be shorter than the hold/);
    expect(() => loadConfig({ PAYMENT_BANK_TRANSFER_INSTRUCTIONS: 'x'.repeat(1001) })).toThrow(
      /PAYMENT_BANK_TRANSFER_INSTRUCTIONS/,
    );
  });

  describe('outgoing webhooks', () => {
    const production = {
      NODE_ENV: 'production',
      DB_HOST: 'db',
      DB_NAME: 'shop',
      REDIS_HOST: 'cache',
      SMTP_HOST: 'mail',
      AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    };

    it('defaults to https only, no allow-list, 10 attempts over about 2.6 days', () => {
      const { webhooks } = loadConfig({});
      expect(webhooks).toEqual(
        expect.objectContaining({
          allowHttp: false,
          allowedHosts: [],
          secretGraceMs: 24 * 3600_000,
          timeoutMs: 10_000,
        }),
      );
      expect(webhooks.retryScheduleMs).toHaveLength(9);
      const total = webhooks.retryScheduleMs.reduce((sum, delay) => sum + delay, 0);
      expect(total / (24 * 3600_000)).toBeCloseTo(2.57, 2);
    });

    it('reads the allow-list and a retry schedule in milliseconds', () => {
      const { webhooks } = loadConfig({
        WEBHOOKS_ALLOW_HTTP: 'true',
        WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1, LocalHost,[::1]',
        WEBHOOKS_RETRY_SCHEDULE_MS: '10,20,30',
      });
      expect(webhooks.allowedHosts).toEqual(['127.0.0.1', 'localhost', '::1']);
      expect(webhooks.retryScheduleMs).toEqual([10, 20, 30]);
      expect(() => loadConfig({ WEBHOOKS_RETRY_SCHEDULE_MS: '10,soon' })).toThrow(
        /WEBHOOKS_RETRY_SCHEDULE_MS/,
      );
    });

    it('refuses plain http and the SSRF allow-list in production', () => {
      expect(() => loadConfig(production)).not.toThrow();
      expect(() => loadConfig({ ...production, WEBHOOKS_ALLOW_HTTP: 'true' })).toThrow(
        /WEBHOOKS_ALLOW_HTTP=true: not allowed when NODE_ENV=production/,
      );
      expect(() => loadConfig({ ...production, WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1' })).toThrow(
        /WEBHOOKS_ALLOWED_HOSTS is set: not allowed when NODE_ENV=production/,
      );
    });
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ SOMETHING_ELSE: '1', PATH: '/usr/bin' })).not.toThrow();
  });
});
