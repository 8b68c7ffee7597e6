/** The reports' arithmetic (days of cover, their order, rates): pure, so the rules are tested apart from the database. */

/** Units sold over this many days set the sales rate of the days-of-cover estimate. */
export const SALES_RATE_DAYS = 30;

/**
 * Days the available stock lasts at the rate of the last 30 days: available ÷ (sold ÷ 30), rounded
 * half up to one decimal; null when nothing sold (no rate to divide by: not "infinite", unknown).
 */
export function daysOfCover(available: number, unitsSold: number): number | null {
  if (unitsSold <= 0) return null;
  // In tenths of a day, with integers: available × 300 ÷ sold, half up.
  return Math.floor((Math.max(available, 0) * SALES_RATE_DAYS * 10 * 2 + unitsSold) / (2 * unitsSold)) / 10;
}

export interface StockRowOrder {
  sku: string;
  available: number;
  status: 'sold-out' | 'low';
  unitsSoldLast30Days: number;
  daysOfCover: number | null;
}

/**
 * Sold out first (the best sellers of them first), then low stock by days of cover ascending (the
 * ones nothing sold lately, no cover to estimate, last); then by available, then SKU, so the order is total.
 */
export function compareStockRows(a: StockRowOrder, b: StockRowOrder): number {
  if (a.status !== b.status) return a.status === 'sold-out' ? -1 : 1;
  if (a.status === 'sold-out' && a.unitsSoldLast30Days !== b.unitsSoldLast30Days)
    return b.unitsSoldLast30Days - a.unitsSoldLast30Days;
  if (a.daysOfCover !== b.daysOfCover) {
    if (a.daysOfCover === null) return 1;
    if (b.daysOfCover === null) return -1;
    return a.daysOfCover - b.daysOfCover;
  }
  if (a.available !== b.available) return a.available - b.available;
  return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
}

/** part ÷ whole rounded half up to 4 decimals (a rate 0..1), 0 when there is no whole. */
export function rate(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.floor((part * 10_000 * 2 + whole) / (2 * whole)) / 10_000;
}
