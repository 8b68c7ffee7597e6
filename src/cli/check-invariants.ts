// Checks the invariants that must hold whatever was killed or restarted (issue 19) and reports the
// count of violations of each: reservations and orders open past their deadline, stock out of its
// bounds, outbox rows left unpublished beyond 2 relay intervals, Bull jobs active without a worker's
// lock, double and orphan charges. Read-only, so an operator may run it against production:
//   npm run check:invariants                       from source (ts-node), in a checkout
//   npm run check:invariants -- --json             the report as JSON
//   node dist/src/cli/check-invariants.js --json   built; in the Docker image:
//   docker compose run --rm api node dist/src/cli/check-invariants.js
// Uses the app's validated configuration (DB_*, REDIS_*, OUTBOX_POLL_INTERVAL_MS; production too).
// Exit codes: 0 every invariant holds; 1 a violation (or the check failed); 2 bad input; 78 bad configuration.
import '@app/config/runtime';
import 'reflect-metadata';
import { loadConfigOrExit, withOverrides } from '@app/config';
import { parseArgs } from 'node:util';
import type { InvariantReport, InvariantThresholds } from '../modules/ops';

const USAGE =
  'usage: npm run check:invariants -- [--json] [--deadline-grace-seconds N] [--outbox-grace-ms N] [--payment-window-hours N]\n' +
  '       node dist/src/cli/check-invariants.js [--json] ...   (the built app, e.g. in the Docker image)';

const fail = (line: string) => process.stderr.write(`check-invariants: ${line}\n`);

class UsageError extends Error {}

interface Options {
  json: boolean;
  thresholds: Partial<InvariantThresholds>;
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

/** The options, or null for --help. */
function parseOptions(argv: string[]): Options | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        'deadline-grace-seconds': { type: 'string' },
        'outbox-grace-ms': { type: 'string' },
        'payment-window-hours': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return null;
  const thresholds: Partial<InvariantThresholds> = {};
  const grace = count(values['deadline-grace-seconds'] as string | undefined, '--deadline-grace-seconds');
  if (grace !== undefined) thresholds.deadlineGraceSeconds = grace;
  const outbox = count(values['outbox-grace-ms'] as string | undefined, '--outbox-grace-ms');
  if (outbox !== undefined) thresholds.outboxGraceMs = outbox;
  const window = count(values['payment-window-hours'] as string | undefined, '--payment-window-hours');
  if (window !== undefined) thresholds.paymentWindowHours = window;
  return { json: values.json === true, thresholds };
}

/** The report as an operator reads it: one line per invariant, its count, a few ids when broken. */
export function formatReport(report: InvariantReport, database: string): string {
  const width = Math.max(...report.invariants.map((invariant) => invariant.name.length));
  const lines = report.invariants.map((invariant) => {
    const mark = invariant.count === 0 ? 'ok  ' : 'FAIL';
    const line = `${mark} ${invariant.name.padEnd(width)} ${String(invariant.count).padStart(6)}  ${invariant.description}`;
    return invariant.count === 0 ? line : `${line}\n       e.g. ${invariant.samples.join(', ')}`;
  });
  const verdict = report.ok
    ? `every invariant holds in ${database} (${report.checkedAt})`
    : `${report.violations} violation(s) in ${database} (${report.checkedAt})`;
  return `${lines.join('\n')}\n${verdict}\n`;
}

async function main(): Promise<number> {
  let options: Options | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(`refused: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfigOrExit();
  // Loaded only now: bad input above is refused without starting the app's modules.
  const { createToolContext } = await import('./app-context');
  const { OpsModule, InvariantsService } = await import('../modules/ops');
  // Checking never creates or migrates a database: it reads the one the app runs on.
  const app = await createToolContext(
    withOverrides(config, { database: { createIfMissing: false, migrationsRun: false } }),
    [OpsModule],
  );
  try {
    const report = await app.get(InvariantsService).check(options.thresholds);
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, config.database.name),
    );
    return report.ok ? 0 : 1;
  } finally {
    await app.close();
  }
}

if (require.main === module)
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
