import { ApiError, type Session } from './session';
import type { DateRange } from './periods';

import type { components } from '../../../../../clients/typescript/src/schema';

/** The reports the page reads, as the generated SDK types them (contract: /v1/admin/reports, money in minor units). */
type Schemas = components['schemas'];
export type SalesMeasures = Schemas['SalesMeasuresDto'];
export type SalesReport = Schemas['SalesReportResponseDto'];
export type TopProductsReport = Schemas['TopProductsReportDto'];
export type StockReport = Schemas['StockReportDto'];

/** A report's answer as the page shows it: the data, "not available" (not deployed), or "not allowed". */
export type Loaded<T> = { state: 'ok'; report: T } | { state: 'unavailable' } | { state: 'forbidden' };

export async function load<T>(session: Session, path: string): Promise<Loaded<T>> {
  const result = await session.request<T>('GET', path);
  if (result.status === 200) return { state: 'ok', report: result.body };
  // A report this API does not serve (yet): the rest of the page still works.
  if (result.status === 404 || result.status === 501) return { state: 'unavailable' };
  if (result.status === 403) return { state: 'forbidden' };
  const problem = (result.body ?? {}) as { detail?: string };
  throw new ApiError(result.status, problem.detail ?? `The report answered ${result.status}.`);
}

const query = (values: Record<string, string | number | undefined>): string =>
  new URLSearchParams(
    Object.entries(values).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])),
  ).toString();

export const salesPath = (range: DateRange): string =>
  `/v1/admin/reports/sales?${query({ from: range.from, to: range.to, interval: 'day' })}`;

export const topProductsPath = (range: DateRange, currency: string | undefined): string =>
  `/v1/admin/reports/top-products?${query({ from: range.from, to: range.to, by: 'net', level: 'product', limit: 10, currency })}`;

export const STOCK_PATH = '/v1/admin/reports/stock';

/** Every period of the range for one currency, in order (the report has no gaps; missing rows read as 0). */
export function netPerPeriod(report: SalesReport, currency: string): Array<{ period: string; net: number }> {
  return report.data
    .filter((row) => row.currency === currency)
    .sort((a, b) => a.period.localeCompare(b.period))
    .map((row) => ({ period: row.period, net: row.net }));
}

/** The currencies with activity in either period, the busiest first. */
export function currenciesOf(...reports: SalesReport[]): string[] {
  const placed = new Map<string, number>();
  for (const report of reports)
    for (const total of report.totals)
      placed.set(
        total.currency,
        (placed.get(total.currency) ?? 0) + total.ordersPlaced + Math.abs(total.net),
      );
  return [...placed].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([currency]) => currency);
}
