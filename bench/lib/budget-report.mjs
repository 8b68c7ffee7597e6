// The run's budgets in one table (every check of the scenarios, the checkout and the payment sections), and with
// --markdown the same table and the per-request figures as Markdown, for BENCHMARKS.md.
import os from 'node:os';
import { formatCpuMs, formatRate, formatStatements, formatTable } from './format.mjs';

/** Every budget the run checked: `{ subject, figure, budget, passed }` (see budgetCheck). */
const checksOf = (report) => [
  ...report.scenarios.flatMap((result) => result.checks),
  ...(report.checkout?.checks ?? []),
  ...(report.payment?.checks ?? []),
];

const budgetRows = (report) =>
  checksOf(report).map((check) => [
    check.subject,
    check.figure,
    check.budget,
    check.passed ? 'pass' : 'FAIL',
  ]);

const BUDGET_HEADER = ['scenario', 'figure', 'budget', 'result'];

/** What each request cost: one row per scenario, the checkout flow's and each payment run's (per order). */
function perRequestRows(report) {
  const rows = report.scenarios.map((result) => [
    result.name,
    formatRate(result.app.requestsPerSecond),
    result.ratio.toFixed(2),
    formatCpuMs(result.cpuPerRequest.appMs),
    formatCpuMs(result.cpuPerRequest.databaseMs),
    formatStatements(result.statementsPerRequest),
  ]);
  const { checkout } = report;
  if (checkout) {
    rows.push([
      `guest checkout flow (${checkout.shoppers} shoppers)`,
      `${formatRate(checkout.requestsPerSecond)} (${checkout.checkoutsPerSecond.toFixed(1)} flows/s)`,
      '-',
      formatCpuMs(checkout.cpuPerRequest.appMs),
      formatCpuMs(checkout.cpuPerRequest.databaseMs),
      'per step: see the budgets',
    ]);
  }
  for (const run of report.payment?.runs ?? []) {
    rows.push([
      `payment ${run.id} (${run.customers} customers), CPU per order paid`,
      `${run.paidPerSecond.toFixed(1)} orders paid/s`,
      '-',
      formatCpuMs(run.cpuPerOrder.appMs),
      formatCpuMs(run.cpuPerOrder.databaseMs),
      'per request: see the budgets',
    ]);
  }
  return rows;
}

const PER_REQUEST_HEADER = [
  'scenario',
  'req/s',
  'ratio to bare',
  'API CPU ms/req',
  'MariaDB CPU ms/req',
  'SQL statements/req',
];

function markdownTable([header, ...rows]) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The command that made the report, as typed (npm's own arguments aside). */
const command = () => {
  const args = process.argv.slice(2);
  return `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
};

/** The budget table; with `--markdown` both tables as Markdown, with the command and the machine's load. */
export function printBudgetTables(report) {
  const budgets = budgetRows(report);
  if (budgets.length > 0) console.log(`\nBudgets:\n${formatTable([BUDGET_HEADER, ...budgets])}`);
  if (!report.settings.markdown) return;
  const { machine: host } = report;
  console.log(
    `\n--- Markdown (BENCHMARKS.md) ---\n\n` +
      `\`${command()}\` on ${report.date.slice(0, 10)}: ${host.cpuModel}, ${host.cores} cores, Node ${host.node}; ` +
      `load average ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')} at the end; ${report.passed ? 'every budget met' : 'budgets missed'}.\n\n` +
      `${markdownTable([BUDGET_HEADER, ...budgets])}\n\n${markdownTable([PER_REQUEST_HEADER, ...perRequestRows(report)])}`,
  );
}
