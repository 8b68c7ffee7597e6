// Budgets as checks: what was measured beside what is allowed, one row each in the report's budget table.
import { formatStatements } from './format.mjs';

/** One checked budget: `{ subject, figure, budget, passed }`. */
export const budgetCheck = (subject, figure, budget, passed) => ({ subject, figure, budget, passed });

/** The failed checks as the report's FAIL lines tell them; `named`: with their subject (a section's many). */
export const failedChecks = (checks, { named = true } = {}) =>
  checks
    .filter((check) => !check.passed)
    .map(
      (check) => `${named ? `${check.subject}: ` : ''}${check.figure} misses the budget (${check.budget})`,
    );

/**
 * One check per step of `budgets` ({ step: most SQL statements per request }) against `perStep` (see
 * statementMeter); `subjects[step]` names the request. A step never counted fails.
 */
export const statementChecks = (perStep, budgets, subjects) =>
  Object.entries(budgets).map(([step, most]) =>
    budgetCheck(
      subjects[step],
      `${formatStatements(perStep[step])} SQL statements/request`,
      `≤ ${most} SQL statements/request`,
      perStep[step] !== undefined && perStep[step].Questions <= most,
    ),
  );
