// The command line: flags (and their BENCH_* variables) read into the run's settings, and the usage text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHECKOUT, CHECKOUT_GROUP, CHECKOUT_ID } from '../sections/commerce.mjs';
import { LOGIN, LOGIN_GROUP, LOGIN_ID } from '../sections/login.mjs';
import {
  NOTIFICATIONS_GROUP,
  REALTIME,
  REALTIME_ID,
  WEBHOOKS,
  WEBHOOKS_ID,
} from '../sections/notifications.mjs';
import { PAYMENT, PAYMENT_GROUP, PAYMENT_ID } from '../sections/payments.mjs';
import { REPORTS_GROUP, REPORTS_ID } from '../sections/reports.mjs';
import { SCENARIOS, SCENARIO_GROUPS } from '../sections/scenarios.mjs';
import {
  BENCH_DIR,
  DEFAULT_CONNECTIONS,
  DEFAULT_DURATION_SECONDS,
  DEFAULT_ROUNDS,
  MEMORY_BUDGET_MB,
  PIPELINING,
  WARMUP_SECONDS,
} from './environment.mjs';

/** The file whose opening comment holds the usage. */
const ENTRY_FILE = join(BENCH_DIR, 'run.mjs');

const OPTIONS = {
  duration: { type: 'string' },
  connections: { type: 'string' },
  rounds: { type: 'string' },
  'login-duration': { type: 'string' },
  'checkout-duration': { type: 'string' },
  shoppers: { type: 'string' },
  'payment-orders': { type: 'string' },
  payers: { type: 'string' },
  'delayed-payers': { type: 'string' },
  'sse-streams': { type: 'string' },
  'webhook-events': { type: 'string' },
  'no-login': { type: 'boolean', default: false },
  'app-env': { type: 'string', multiple: true, default: [] },
  'no-build': { type: 'boolean', default: false },
  'keep-db': { type: 'boolean', default: false },
  markdown: { type: 'boolean', default: false },
  only: { type: 'string', multiple: true, default: [] },
  scenarios: { type: 'string', multiple: true, default: [] },
  help: { type: 'boolean', short: 'h', default: false },
};

/** The numeric flags: [setting, flag, variable, default]. The flag wins over the variable. */
const NUMBERS = [
  [
    'checkoutDurationSeconds',
    'checkout-duration',
    'BENCH_CHECKOUT_DURATION',
    CHECKOUT.defaultDurationSeconds,
  ],
  ['shoppers', 'shoppers', 'BENCH_SHOPPERS', CHECKOUT.shoppers],
  ['paymentOrders', 'payment-orders', 'BENCH_PAYMENT_ORDERS', PAYMENT.ordersPerRun],
  ['payers', 'payers', 'BENCH_PAYERS', PAYMENT.payers],
  ['delayedPayers', 'delayed-payers', 'BENCH_DELAYED_PAYERS', PAYMENT.delayedPayers],
  ['loginDurationSeconds', 'login-duration', 'BENCH_LOGIN_DURATION', LOGIN.defaultDurationSeconds],
  ['sseStreams', 'sse-streams', 'BENCH_SSE_STREAMS', REALTIME.streams],
  ['webhookEvents', 'webhook-events', 'BENCH_WEBHOOK_EVENTS', WEBHOOKS.events],
  ['durationSeconds', 'duration', 'BENCH_DURATION', DEFAULT_DURATION_SECONDS],
  ['connections', 'connections', 'BENCH_CONNECTIONS', DEFAULT_CONNECTIONS],
  ['rounds', 'rounds', 'BENCH_ROUNDS', DEFAULT_ROUNDS],
];

function positiveInteger(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function parseAssignment(raw) {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(raw);
  if (!match) throw new Error(`--app-env takes NAME=value, got "${raw}"`);
  return [match[1], match[2]];
}

/** A repeatable, comma-separated option whose every value must be one of `known`. */
function listOption(name, raw, known) {
  const values = raw
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = values.filter((value) => !known.includes(value));
  if (unknown.length > 0) {
    throw new Error(`--${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return [...new Set(values)];
}

/** The scenarios `selects(id, group)` picks, and those their relative budgets compare with (same run). */
function selectedScenarios(selects) {
  const picked = SCENARIOS.filter((scenario) => selects(scenario.id, scenario.group));
  const compared = picked.flatMap((scenario) => (scenario.relativeTo ? [scenario.relativeTo.id] : []));
  return SCENARIOS.filter((scenario) => picked.includes(scenario) || compared.includes(scenario.id)).map(
    (scenario) => scenario.id,
  );
}

export function readSettings() {
  const { values } = parseArgs({ options: OPTIONS });
  const only = listOption('only', values.only, [...SCENARIO_GROUPS, NOTIFICATIONS_GROUP, REPORTS_GROUP]);
  const ids = listOption('scenarios', values.scenarios, [
    ...SCENARIOS.map((scenario) => scenario.id),
    LOGIN_ID,
    CHECKOUT_ID,
    PAYMENT_ID,
    REALTIME_ID,
    WEBHOOKS_ID,
    REPORTS_ID,
  ]);
  // Nothing asked for means everything.
  const selects = (id, group) =>
    (only.length === 0 && ids.length === 0) || only.includes(group) || ids.includes(id);
  const numbers = Object.fromEntries(
    NUMBERS.map(([setting, flag, variable, fallback]) => [
      setting,
      positiveInteger(flag, values[flag] ?? process.env[variable] ?? fallback),
    ]),
  );
  return {
    help: values.help,
    build: !values['no-build'],
    keepDb: values['keep-db'],
    markdown: values.markdown,
    only,
    scenarioIds: ids,
    selectedScenarios: selectedScenarios(selects),
    login: !values['no-login'] && selects(LOGIN_ID, LOGIN_GROUP),
    checkout: selects(CHECKOUT_ID, CHECKOUT_GROUP),
    checkoutDurationSeconds: numbers.checkoutDurationSeconds,
    shoppers: numbers.shoppers,
    payment: selects(PAYMENT_ID, PAYMENT_GROUP),
    paymentOrders: numbers.paymentOrders,
    payers: numbers.payers,
    delayedPayers: numbers.delayedPayers,
    realtime: selects(REALTIME_ID, NOTIFICATIONS_GROUP),
    sseStreams: numbers.sseStreams,
    webhooks: selects(WEBHOOKS_ID, NOTIFICATIONS_GROUP),
    webhookEvents: numbers.webhookEvents,
    reports: selects(REPORTS_ID, REPORTS_GROUP),
    appEnv: Object.fromEntries(values['app-env'].map(parseAssignment)),
    loginDurationSeconds: numbers.loginDurationSeconds,
    durationSeconds: numbers.durationSeconds,
    connections: numbers.connections,
    rounds: numbers.rounds,
    pipelining: PIPELINING,
    warmupSeconds: WARMUP_SECONDS,
    memoryBudgetMb: MEMORY_BUDGET_MB,
  };
}

/** The usage part of the entry file's opening comment. */
export function usage() {
  const lines = readFileSync(ENTRY_FILE, 'utf8').split('\n');
  const first = lines.findIndex((line) => line.startsWith('// Usage:'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('//'));
  return lines
    .slice(first, end)
    .map((line) => line.replace(/^\/\/ ?/, ''))
    .join('\n');
}
