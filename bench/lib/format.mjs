// How numbers and tables are printed.

export const formatRate = (value) => Math.round(value).toLocaleString('en-US');
export const formatMs = (value) => value.toFixed(2);
/** CPU milliseconds per request: three decimals (a cached read costs a fraction of a millisecond); '-' unknown. */
export const formatCpuMs = (value) => (value === null || value === undefined ? '-' : value.toFixed(3));
export const percent = (share) => `${Math.round(share * 100)}%`;

export const formatCounts = (counts) =>
  Object.entries(counts)
    .map(([status, count]) => `${status}: ${formatRate(count)}`)
    .join(', ') || '-';

export function formatTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join(' | ');
  const separator = widths.map((width) => '-'.repeat(width)).join('-|-');
  return [line(rows[0]), separator, ...rows.slice(1).map(line)].join('\n');
}

/** The usual kinds first, in the order a transaction runs them; any other kind after them, alphabetically. */
const STATEMENT_KIND_ORDER = ['select', 'insert', 'update', 'delete', 'begin', 'commit', 'rollback'];
const kindRank = (kind) => {
  const rank = STATEMENT_KIND_ORDER.indexOf(kind);
  return rank === -1 ? STATEMENT_KIND_ORDER.length : rank;
};

/**
 * SQL statements of a request (see statementMeter): "6 (select 2, insert 1, begin 1, commit 1)", with "[3 of 5
 * requests agreed]" when some requests counted otherwise (others used the server); '-' unknown.
 */
export function formatStatements(counts) {
  if (!counts) return '-';
  const kinds = Object.entries(counts.kinds)
    .sort(([a], [b]) => kindRank(a) - kindRank(b) || a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`);
  const agreement =
    counts.agreed < counts.samples ? ` [${counts.agreed} of ${counts.samples} requests agreed]` : '';
  return `${counts.Questions}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}${agreement}`;
}
