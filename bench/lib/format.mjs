// How numbers and tables are printed.

export const formatRate = (value) => Math.round(value).toLocaleString('en-US');
export const formatMs = (value) => value.toFixed(2);
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
