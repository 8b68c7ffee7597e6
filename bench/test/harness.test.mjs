// The harness's own logic that decides a verdict, without a server: `node --test bench/` (npm run test:bench).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failedChecks, statementChecks } from '../lib/budgets.mjs';
import { checkRelativeBudgets } from '../lib/ceilings.mjs';
import { statementMeter } from '../lib/database.mjs';
import { formatStatements } from '../lib/format.mjs';
import { waitUntilSteady } from '../lib/load.mjs';

/** A connection whose SHOW GLOBAL STATUS answers the counters `next()` gives, as MariaDB's rows. */
const fakeConnection = (next) => ({
  query: async () => [Object.entries(next()).map(([Variable_name, Value]) => ({ Variable_name, Value }))],
});

describe('statementMeter', () => {
  it("counts a request's statements by kind, less the readings' own cost, as most requests count them", async () => {
    const counters = { Questions: 0, Com_select: 0, Com_insert: 0, Com_show_status: 0, Com_commit: 0 };
    let readings = 0;
    const connection = fakeConnection(() => {
      readings += 1;
      counters.Questions += 1;
      counters.Com_show_status += 1;
      // Someone else's statement between the first two readings: not the readings' cost.
      if (readings === 2) {
        counters.Questions += 1;
        counters.Com_insert += 1;
      }
      return { ...counters };
    });
    const meter = await statementMeter(connection);
    const request = (selects) => async () => {
      counters.Questions += selects + 1;
      counters.Com_select += selects;
      counters.Com_commit += 1;
    };
    await meter.measure('read', request(2));
    // Someone else's select during this one.
    await meter.measure('read', request(3));
    await meter.measure('read', request(2));
    // A connection of someone else closing meanwhile: the server's sum briefly misses one of its selects.
    await meter.measure('read', async () => {
      await request(2)();
      counters.Questions -= 1;
      counters.Com_select -= 1;
    });
    assert.deepEqual(meter.perStep.read, {
      Questions: 3,
      kinds: { select: 2, commit: 1 },
      agreed: 2,
      samples: 4,
    });
    assert.equal(formatStatements(meter.perStep.read), '3 (select 2, commit 1) [2 of 4 requests agreed]');
  });
});

describe('waitUntilSteady', () => {
  it('stops at the first two windows within the tolerance, not at two empty ones', async () => {
    const totals = [0, 0, 0, 10, 30, 50, 71, 999];
    let reading = 0;
    const result = await waitUntilSteady(() => totals[reading++], {
      windowSeconds: 0.001,
      tolerance: 0.1,
      maxSeconds: 1,
    });
    assert.deepEqual(result, { rates: [0, 0, 10_000, 20_000, 20_000], steady: true });
  });

  it('gives up after maxSeconds and says so', async () => {
    let total = 0;
    const result = await waitUntilSteady(() => (total = total * 2 + 1), {
      windowSeconds: 0.001,
      maxSeconds: 0.003,
    });
    assert.equal(result.steady, false);
    assert.equal(result.rates.length, 3);
  });
});

describe('budget checks', () => {
  const scenario = (id, ratio, relativeTo) => ({
    id,
    name: id,
    ratio,
    relativeTo,
    checks: [],
    runFailures: [],
    failures: [],
    verdict: 'report only',
  });

  it("holds a scenario's ratio to a share of another's in the same run", () => {
    const [floor, passing, failing, orphan] = checkRelativeBudgets([
      scenario('health', 0.8),
      scenario('list', 0.76, { id: 'health', minShare: 0.9 }),
      scenario('me', 0.6, { id: 'health', minShare: 0.8 }),
      scenario('detail', 0.9, { id: 'missing', minShare: 0.9 }),
    ]);
    assert.equal(floor.verdict, 'report only');
    assert.equal(passing.verdict, 'PASS');
    assert.equal(failing.verdict, 'FAIL');
    assert.match(failing.failures[0], /^0\.75 × health/);
    assert.equal(orphan.verdict, 'FAIL');
  });

  it('fails a statement budget over its count, and one never counted', () => {
    const checks = statementChecks(
      { create: { Questions: 2, kinds: {} }, add: { Questions: 5, kinds: {} } },
      { create: 2, add: 4, read: 2 },
      { create: 'POST /v1/carts', add: 'POST …/items', read: 'GET /v1/orders/{id}' },
    );
    assert.deepEqual(
      checks.map((check) => check.passed),
      [true, false, false],
    );
    assert.deepEqual(failedChecks(checks), [
      'POST …/items: 5 SQL statements/request misses the budget (≤ 4 SQL statements/request)',
      'GET /v1/orders/{id}: - SQL statements/request misses the budget (≤ 2 SQL statements/request)',
    ]);
  });
});
