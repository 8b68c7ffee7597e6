import { LiveOrders, type FeedStatus, type PlacedOrder } from './live-orders';
import {
  type DateRange,
  formatMoney,
  formatPercent,
  lastDays,
  percentChange,
  previousPeriod,
  rangeProblem,
  todayIn,
} from './periods';
import {
  currenciesOf,
  load,
  type Loaded,
  netPerPeriod,
  type SalesMeasures,
  type SalesReport,
  salesPath,
  STOCK_PATH,
  type StockReport,
  type TopProductsReport,
  topProductsPath,
} from './reports';
import { drawSalesChart } from './sales-chart';
import { ApiError, Session } from './session';

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

const ui = {
  account: byId('account'),
  signedInAs: byId('signed-in-as'),
  signOut: byId<HTMLButtonElement>('sign-out'),
  signIn: byId('sign-in'),
  loginForm: byId<HTMLFormElement>('login-form'),
  email: byId<HTMLInputElement>('email'),
  password: byId<HTMLInputElement>('password'),
  mfaForm: byId<HTMLFormElement>('mfa-form'),
  mfaCode: byId<HTMLInputElement>('mfa-code'),
  signInError: byId('sign-in-error'),
  denied: byId('denied'),
  dashboard: byId('dashboard'),
  controls: byId<HTMLFormElement>('controls'),
  range: byId<HTMLSelectElement>('range'),
  customRange: byId('custom-range'),
  from: byId<HTMLInputElement>('from'),
  to: byId<HTMLInputElement>('to'),
  currency: byId<HTMLSelectElement>('currency'),
  rangeLabel: byId('range-label'),
  rangeError: byId('range-error'),
  kpis: byId('kpis'),
  chart: byId<HTMLCanvasElement>('sales-chart'),
  chartStatus: byId('chart-status'),
  liveStatus: byId('live-status'),
  liveOrders: byId<HTMLOListElement>('live-orders'),
  liveEmpty: byId('live-empty'),
  topStatus: byId('top-status'),
  topTable: byId<HTMLTableElement>('top-products'),
  topRows: byId<HTMLTableElement>('top-products').tBodies[0],
  stockStatus: byId('stock-status'),
  stockTable: byId<HTMLTableElement>('stock-alerts'),
  stockRows: byId<HTMLTableElement>('stock-alerts').tBodies[0],
};

const session = new Session();
let live: LiveOrders | undefined;
let pendingMfaToken: string | undefined;
/** The store's zone, from the reports (which say which zone their dates are in); the browser's until then. */
let storeTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
/** Only the latest refresh may draw (a slow answer to an earlier range must not overwrite a newer one). */
let generation = 0;
let shown: { current: SalesReport; previous: SalesReport | undefined; range: DateRange } | undefined;
const seenOrders = new Set<string>();

type View = 'sign-in' | 'denied' | 'dashboard';
function show(view: View): void {
  ui.signIn.hidden = view !== 'sign-in';
  ui.denied.hidden = view !== 'denied';
  ui.dashboard.hidden = view !== 'dashboard';
  ui.account.hidden = view === 'sign-in';
}

function say(element: HTMLElement, message: string | undefined): void {
  element.textContent = message ?? '';
  element.hidden = message === undefined;
}

const messageOf = (error: unknown): string =>
  error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong.';

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// ---- signing in -------------------------------------------------------------------------------------

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  say(ui.signInError, undefined);
  void (async () => {
    try {
      pendingMfaToken = await session.login(ui.email.value.trim(), ui.password.value);
      ui.password.value = '';
      if (pendingMfaToken) {
        ui.loginForm.hidden = true;
        ui.mfaForm.hidden = false;
        ui.mfaCode.focus();
        return;
      }
      await enter();
    } catch (error) {
      say(ui.signInError, messageOf(error));
    }
  })();
});

ui.mfaForm.addEventListener('submit', (event) => {
  event.preventDefault();
  say(ui.signInError, undefined);
  void (async () => {
    try {
      await session.verifyMfa(pendingMfaToken ?? '', ui.mfaCode.value.trim());
      pendingMfaToken = undefined;
      ui.mfaCode.value = '';
      await enter();
    } catch (error) {
      say(ui.signInError, messageOf(error));
    }
  })();
});

ui.signOut.addEventListener('click', () => void session.logout());

session.onEnded = () => {
  live?.stop();
  live = undefined;
  shown = undefined;
  generation++;
  ui.loginForm.hidden = false;
  ui.mfaForm.hidden = true;
  show('sign-in');
};

async function enter(): Promise<void> {
  const me = await session.must<{ email: string; role: string }>('GET', '/v1/me');
  ui.signedInAs.textContent = me.email;
  // Customers hold no staff permission at all; a staff role without reports:read is told by a 403 below.
  if (me.role === 'customer') return show('denied');
  show('dashboard');
  const today = todayIn(storeTimeZone);
  ui.from.value = lastDays(30, today).from;
  ui.to.value = today;
  live = new LiveOrders(session, addLiveOrder, showFeedStatus);
  live.start();
  await refresh();
}

// ---- range, currency, reports -----------------------------------------------------------------------

ui.range.addEventListener('change', () => {
  ui.customRange.hidden = ui.range.value !== 'custom';
  if (ui.range.value !== 'custom') void refresh();
});
ui.currency.addEventListener('change', () => draw());
ui.controls.addEventListener('submit', (event) => {
  event.preventDefault();
  void refresh();
});

function chosenRange(): DateRange {
  if (ui.range.value === 'custom') return { from: ui.from.value, to: ui.to.value };
  return lastDays(Number(ui.range.value), todayIn(storeTimeZone));
}

async function refresh(): Promise<void> {
  const mine = ++generation;
  const range = chosenRange();
  const problem = rangeProblem(range);
  say(ui.rangeError, problem ?? undefined);
  if (problem) return;
  ui.rangeLabel.textContent = `${range.from} – ${range.to} vs ${previousPeriod(range).from} – ${previousPeriod(range).to}`;
  try {
    const [current, previous] = await Promise.all([
      load<SalesReport>(session, salesPath(range)),
      load<SalesReport>(session, salesPath(previousPeriod(range))),
    ]);
    if (mine !== generation) return;
    if (current.state === 'forbidden' || previous.state === 'forbidden') return show('denied');
    if (current.state === 'ok' && current.report.timeZone !== storeTimeZone && ui.range.value !== 'custom') {
      // "Last 7 days" are the store's days: ask again with its today.
      storeTimeZone = current.report.timeZone;
      return refresh();
    }
    if (current.state === 'ok') {
      shown = {
        current: current.report,
        previous: previous.state === 'ok' ? previous.report : undefined,
        range,
      };
      say(ui.chartStatus, undefined);
    } else {
      shown = undefined;
      say(ui.chartStatus, 'The sales report is not available on this server.');
    }
    fillCurrencies();
    draw();
  } catch (error) {
    if (mine === generation) say(ui.chartStatus, messageOf(error));
  }
}

function fillCurrencies(): void {
  const wanted = ui.currency.value;
  const currencies = shown ? currenciesOf(shown.current, ...(shown.previous ? [shown.previous] : [])) : [];
  ui.currency.replaceChildren(
    ...currencies.map((currency) => new Option(currency, currency, false, currency === wanted)),
  );
  ui.currency.disabled = currencies.length === 0;
}

function draw(): void {
  const currency = ui.currency.value || undefined;
  renderKpis(currency);
  if (shown && currency) {
    const net = netPerPeriod(shown.current, currency);
    // A previous period without sales in this currency has no rows: it is zero every day.
    const before = shown.previous ? netPerPeriod(shown.previous, currency) : [];
    const previousNet = net.map((_row, index) => before[index]?.net ?? 0);
    drawSalesChart(ui.chart, {
      currency,
      periods: net.map((row) => row.period),
      net: net.map((row) => row.net),
      previousNet,
    });
  } else if (shown) {
    say(ui.chartStatus, 'No sales in this range.');
  }
  void loadTopProducts(currency);
  void loadStock();
}

const KPIS: Array<{ name: string; measure: keyof SalesMeasures; money: boolean }> = [
  { name: 'Net sales', measure: 'net', money: true },
  { name: 'Orders', measure: 'ordersPlaced', money: false },
  { name: 'Average order value', measure: 'averageOrderValue', money: true },
  { name: 'Units sold', measure: 'units', money: false },
  { name: 'New customers', measure: 'newCustomers', money: false },
];

function renderKpis(currency: string | undefined): void {
  const totalsOf = (report: SalesReport | undefined) =>
    report?.totals.find((total) => total.currency === currency);
  const now = totalsOf(shown?.current);
  const before = totalsOf(shown?.previous);
  ui.kpis.replaceChildren(
    ...KPIS.map(({ name, measure, money }) => {
      const box = document.createElement('div');
      box.className = 'kpi';
      box.dataset.kpi = measure;
      const value = Number(now?.[measure] ?? 0);
      const previous = Number(before?.[measure] ?? 0);
      const format = (amount: number) =>
        money && currency ? formatMoney(amount, currency) : new Intl.NumberFormat().format(amount);
      const title = document.createElement('div');
      title.className = 'name';
      title.textContent = name;
      const figure = document.createElement('div');
      figure.className = 'value';
      figure.textContent = shown ? format(value) : 'not available';
      const change = document.createElement('div');
      const percent = percentChange(value, previous);
      change.className = `change${percent === null || percent === 0 ? '' : percent > 0 ? ' up' : ' down'}`;
      change.textContent = shown ? `${formatPercent(percent)} (previous: ${format(previous)})` : '';
      box.append(title, figure, change);
      return box;
    }),
  );
}

async function loadTopProducts(currency: string | undefined): Promise<void> {
  const range = shown?.range ?? chosenRange();
  const mine = generation;
  let loaded: Loaded<TopProductsReport>;
  try {
    loaded = await load<TopProductsReport>(session, topProductsPath(range, currency));
  } catch (error) {
    return say(ui.topStatus, messageOf(error));
  }
  if (mine !== generation) return;
  ui.topRows.replaceChildren();
  ui.topTable.hidden = loaded.state !== 'ok' || loaded.report.data.length === 0;
  if (loaded.state !== 'ok') return say(ui.topStatus, notShown(loaded.state, 'top products'));
  say(ui.topStatus, loaded.report.data.length === 0 ? 'No products sold in this range.' : undefined);
  for (const product of loaded.report.data) {
    const row = ui.topRows.insertRow();
    cell(row, String(product.rank));
    cell(row, product.sku ? `${product.productName} (${product.sku})` : product.productName);
    cell(row, new Intl.NumberFormat().format(product.units), 'num');
    cell(row, formatMoney(product.net, product.currency), 'num');
  }
}

async function loadStock(): Promise<void> {
  const mine = generation;
  let loaded: Loaded<StockReport>;
  try {
    loaded = await load<StockReport>(session, STOCK_PATH);
  } catch (error) {
    return say(ui.stockStatus, messageOf(error));
  }
  if (mine !== generation) return;
  ui.stockRows.replaceChildren();
  ui.stockTable.hidden = loaded.state !== 'ok' || loaded.report.data.length === 0;
  if (loaded.state !== 'ok') return say(ui.stockStatus, notShown(loaded.state, 'stock alerts'));
  say(ui.stockStatus, loaded.report.data.length === 0 ? 'Nothing is sold out or low.' : undefined);
  for (const item of loaded.report.data) {
    const row = ui.stockRows.insertRow();
    cell(row, item.productName);
    cell(row, item.sku);
    const status = cell(row, '');
    const badge = document.createElement('span');
    badge.className = `badge ${item.status}`;
    badge.textContent = item.status;
    status.append(badge);
    cell(row, String(item.available), 'num');
    cell(row, item.daysOfCover === null ? '—' : String(item.daysOfCover), 'num');
  }
}

const notShown = (state: 'unavailable' | 'forbidden', what: string): string =>
  state === 'unavailable'
    ? `The ${what} report is not available on this server.`
    : `Not allowed to read ${what}.`;

// ---- live orders ------------------------------------------------------------------------------------

function addLiveOrder(order: PlacedOrder, timestamp: string): void {
  if (seenOrders.has(order.orderId)) return;
  seenOrders.add(order.orderId);
  const item = document.createElement('li');
  item.className = 'fresh';
  item.dataset.orderId = order.orderId;
  const number = document.createElement('strong');
  number.textContent = order.number;
  const total = document.createElement('span');
  total.className = 'total';
  total.textContent = formatMoney(order.total, order.currency);
  const time = document.createElement('time');
  time.dateTime = timestamp;
  time.className = 'muted';
  time.textContent = new Date(timestamp).toLocaleTimeString();
  item.append(number, total, time);
  ui.liveOrders.prepend(item);
  while (ui.liveOrders.children.length > 50) ui.liveOrders.lastElementChild?.remove();
  ui.liveEmpty.hidden = true;
}

function showFeedStatus(status: FeedStatus): void {
  ui.liveStatus.textContent = status;
  ui.liveStatus.className = `badge ${status}`;
}

show('sign-in');
