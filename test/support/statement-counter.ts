import { MysqlProxy } from './mysql-proxy';

const COM_QUERY = 0x03;
const COM_STMT_EXECUTE = 0x17;
const COM_STMT_BULK_EXECUTE = 0xfa; // MariaDB's array binding

export const STATEMENT_KINDS = ['select', 'insert', 'update', 'delete', 'transaction', 'other'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** The statements one request made, as MariaDB's `Questions` counts them (COM_QUERY and executes). */
export interface StatementCount {
  total: number;
  byKind: Record<StatementKind, number>;
  /** In the order sent; an execute of a prepared statement as `EXECUTE <statement id>`. */
  statements: string[];
}

/** The kind of a statement by its first keyword (comments and parentheses skipped). */
export function statementKind(sql: string): StatementKind {
  const keyword = /^[\s(]*(?:(?:\/\*[\s\S]*?\*\/|--[^\n]*\n|#[^\n]*\n)[\s(]*)*([A-Za-z]+)(?:\s+([A-Za-z]+))?/
    .exec(sql)
    ?.slice(1)
    .map((word) => word?.toUpperCase());
  switch (keyword?.[0] ?? '') {
    case 'SELECT':
    case 'WITH':
      return 'select';
    case 'INSERT':
    case 'REPLACE':
      return 'insert';
    case 'UPDATE':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'START':
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK':
    case 'SAVEPOINT':
    case 'RELEASE':
    case 'XA':
      return 'transaction';
    case 'SET':
      return keyword?.[1] === 'TRANSACTION' ? 'transaction' : 'other';
    default:
      return 'other';
  }
}

const emptyCount = (): StatementCount => ({
  total: 0,
  byKind: Object.fromEntries(STATEMENT_KINDS.map((kind) => [kind, 0])) as Record<StatementKind, number>,
  statements: [],
});

/**
 * Counts at the wire the SQL statements an application sends to MariaDB, whatever its code does:
 * the application connects through this proxy (give it `port` as its database port), and `count()`
 * records every COM_QUERY and prepared-statement execute that passes while one request is sent.
 *
 * Deterministic because only the connections of the application under test pass here (a worker or
 * the test's own connections go to MariaDB directly), the API process runs no database work of its
 * own in the background (the outbox relay and the scheduled jobs live in the worker), and counts do
 * not overlap. A statement the request leaves running after its response (none today) is still
 * counted: the count ends once the connections have been quiet for `quietMs`; the wait can only add
 * statements, never make a count pass.
 */
export class StatementCounter {
  private current: StatementCount | null = null;
  private lastCommandAt = 0;

  private constructor(private readonly proxy: MysqlProxy) {
    proxy.onCommand = (command, body) => this.seen(command, body);
  }

  static async start(target: { host: string; port: number }): Promise<StatementCounter> {
    return new StatementCounter(await MysqlProxy.start(target));
  }

  /** Where the application connects instead of MariaDB. */
  get port(): number {
    return this.proxy.port;
  }

  /** The statements sent while `send()` ran (and until the connections went quiet after it). */
  async count<T>(send: () => Promise<T>, quietMs = 100): Promise<{ result: T; count: StatementCount }> {
    if (this.current) throw new Error('counts must not overlap: one request at a time');
    await this.quiet(quietMs); // nothing left over from before is counted
    const count = (this.current = emptyCount());
    try {
      const result = await send();
      await this.quiet(quietMs);
      return { result, count };
    } finally {
      this.current = null;
    }
  }

  close(): Promise<void> {
    this.proxy.onCommand = null;
    return this.proxy.close();
  }

  private seen(command: number, body: Buffer): void {
    this.lastCommandAt = Date.now();
    const count = this.current;
    if (!count) return;
    let sql: string;
    if (command === COM_QUERY) sql = body.toString('utf8').trim();
    else if (command === COM_STMT_EXECUTE || command === COM_STMT_BULK_EXECUTE)
      sql = `EXECUTE ${body.length >= 4 ? body.readUInt32LE(0) : '?'}`;
    else return; // ping, prepare, close, quit…: not statements (MariaDB's Questions skips them too)
    count.total += 1;
    count.byKind[command === COM_QUERY ? statementKind(sql) : 'other'] += 1;
    count.statements.push(sql.length > 300 ? `${sql.slice(0, 300)}…` : sql);
  }

  private async quiet(quietMs: number): Promise<void> {
    for (;;) {
      const waited = Date.now() - this.lastCommandAt;
      if (waited >= quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, quietMs - waited));
    }
  }
}

/** `12 (select 5, insert 2, …)`: the kinds that occurred. */
export function describeCount(count: StatementCount): string {
  const kinds = STATEMENT_KINDS.filter((kind) => count.byKind[kind] > 0).map(
    (kind) => `${kind} ${count.byKind[kind]}`,
  );
  return `${count.total} (${kinds.join(', ') || 'none'})`;
}
