// A year of a small shop's trade, made up deterministically: who ordered what, when, and what became
// of each order (paid, shipped, delivered, cancelled, refunded) — as the rows the app itself would have
// written. Pure: no I/O; scripts/seed-demo-year.ts reads the catalog and the shop it sells in and
// writes what this returns. The same input (seed, clock, catalog) gives the same rows, ids included.
//
// What makes it look like a shop: Nov/Dec peak (Black Friday, the weeks before Christmas) and a summer
// dip, more orders on Sunday and Monday than on Saturday, evenings busier than nights, a catalog where
// a few products sell most, customers who come back (and guests who do), discount codes, shipping by
// zone with free express over a threshold, tax by country, about 5 % cancellations (unpaid transfers
// and cards, customers changing their mind) and about 3 % refunds (most of them partial).
import type { PostalAddress } from '@app/common';
import { localDaysInUtc, type LocalDayInUtc } from '../../src/modules/analytics/store-calendar';
import { priceCart, type PriceMode, type PricingPromotion } from '../../src/modules/carts/pricing/pricing';
import { SeededRandom } from './random';

export const DEFAULT_DEMO_DAYS = 365;
export const DEFAULT_ORDERS_PER_DAY = 30;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface DemoYearVariant {
  id: string;
  productId: string;
  sku: string;
  productTitle: string;
  variantTitle: string;
  price: number;
}

export interface DemoYearZone {
  countries: readonly string[];
  /** Cheapest first: the first is "standard". */
  methods: ReadonlyArray<{ id: string; name: string; rate: number; freeOver: number | null }>;
}

export interface DemoYearTaxRate {
  country: string;
  region: string;
  rateBp: number;
}

export interface DemoYearInput {
  seed: number;
  /** The year ends an hour before this hour began (where the sales reconciliation's window ends). */
  now: Date;
  /** Local days, the last one being today (365 for the year). */
  days: number;
  /** Average orders per day over the span (the seasons move it up and down). */
  ordersPerDay: number;
  timeZone: string;
  currency: string;
  priceMode: PriceMode;
  orderNumberPrefix: string;
  /** The order_numbers id of the first order (ids after the ones the shop used already). */
  firstNumberId: number;
  reservationTtlSeconds: number;
  bankTransferHoldDays: number;
  bankTransferReminderHours: number;
  variants: readonly DemoYearVariant[];
  zones: readonly DemoYearZone[];
  taxRates: readonly DemoYearTaxRate[];
  promotions: ReadonlyArray<PricingPromotion & { id: string }>;
  /** Who records transfers, fulfils and refunds (`user:<id>`). */
  staffActor: string;
  /** The demo customer account, given a handful of orders so its order history is not empty. */
  demoCustomer: { id: string; email: string; name: string } | null;
  /** The password hash of every generated customer account (of a secret nobody knows). */
  passwordHash: string;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
}
export interface CartRow {
  id: string;
  customerId: string | null;
  tokenHash: string | null;
  status: 'active' | 'checked_out';
  email: string | null;
  promotionCode: string | null;
  shippingMethodId: string | null;
  address: PostalAddress | null;
  orderId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
export interface CartItemRow {
  id: string;
  cartId: string;
  variantId: string;
  quantity: number;
  createdAt: Date;
}
export type OrderStatus =
  | 'pending_payment'
  | 'paid'
  | 'fulfilled'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'partially_refunded'
  | 'refunded';
export type PaymentMethod = 'card' | 'bank_transfer' | 'cash_on_delivery';
export interface OrderRow {
  id: string;
  numberId: number;
  number: string;
  cartId: string;
  customerId: string | null;
  tokenHash: string | null;
  email: string;
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  subtotal: number;
  discount: number;
  shipping: number;
  shippingTax: number;
  tax: number;
  total: number;
  taxRateBp: number;
  promotionCode: string | null;
  shippingMethodId: string;
  shippingMethodName: string;
  address: PostalAddress;
  expiresAt: Date | null;
  paymentReminderSentAt: Date | null;
  paidAt: Date | null;
  cancelledAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
export interface OrderLineRow {
  id: string;
  orderId: string;
  position: number;
  variant: DemoYearVariant;
  unitPrice: number;
  quantity: number;
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  fulfilledQuantity: number;
}
export interface HistoryRow {
  orderId: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actor: string;
  reason: string | null;
  createdAt: Date;
}
export interface PaymentRow {
  id: string;
  orderId: string;
  provider: 'sandbox' | 'manual';
  providerReference: string | null;
  amount: number;
  state: 'captured' | 'partially_refunded' | 'refunded';
  refundedAmount: number;
  recordedBy: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
export interface PaymentAttemptRow {
  paymentId: string;
  operation: string;
  outcome: string;
  createdAt: Date;
}
export interface RefundRow {
  id: string;
  paymentId: string;
  amount: number;
  providerReference: string | null;
  reason: string;
  requestedBy: string;
  createdAt: Date;
}
export interface SandboxChargeRow {
  id: string;
  paymentId: string;
  card: string;
  amount: number;
  refunded: number;
  createdAt: Date;
}
export interface SandboxRefundRow {
  id: string;
  chargeId: string;
  refundId: string;
  amount: number;
  createdAt: Date;
}
export interface FulfilmentRow {
  id: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  actor: string;
  createdAt: Date;
  lines: Array<{ orderLineId: string; quantity: number }>;
}
export interface RedemptionRow {
  id: string;
  promotionId: string;
  orderId: string;
  customerKey: string;
  releasedAt: Date | null;
  createdAt: Date;
}

export interface DemoYear {
  /** [start, end): every row's times fall in it. */
  start: Date;
  end: Date;
  users: UserRow[];
  carts: CartRow[];
  cartItems: CartItemRow[];
  orders: OrderRow[];
  orderLines: OrderLineRow[];
  history: HistoryRow[];
  payments: PaymentRow[];
  paymentAttempts: PaymentAttemptRow[];
  refunds: RefundRow[];
  sandboxCharges: SandboxChargeRow[];
  sandboxRefunds: SandboxRefundRow[];
  fulfilments: FulfilmentRow[];
  redemptions: RedemptionRow[];
}

/** Relative order volume by month (Jan..Dec): a summer dip, the run-up to Christmas. */
const MONTH_WEIGHT = [0.85, 0.75, 0.9, 0.95, 0.95, 0.82, 0.7, 0.72, 0.95, 1.05, 1.45, 1.75];
/** By weekday (Sun..Sat): Sunday evening and Monday are an online shop's busiest, Saturday its quietest. */
const WEEKDAY_WEIGHT = [1.2, 1.12, 1.02, 1.0, 0.98, 0.9, 0.78];
/** By local hour: quiet nights, a lunch bump, the evening peak. */
const HOUR_WEIGHT = [
  0.5, 0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.1, 1.3, 1.4, 1.5, 1.7, 1.6, 1.4, 1.4, 1.5, 1.7, 2.0, 2.4, 2.6,
  2.4, 1.8, 1.0,
];
const COUNTRY_WEIGHT: ReadonlyArray<readonly [string, number]> = [
  ['DE', 40],
  ['FR', 10],
  ['NL', 8],
  ['AT', 7],
  ['IT', 6],
  ['ES', 5],
  ['BE', 4],
  ['GB', 10],
  ['US', 10],
];
const PLACES: Record<string, ReadonlyArray<readonly [string, string, string]>> = {
  // city, postal code, street
  DE: [
    ['Berlin', '10115', 'Invalidenstraße'],
    ['Hamburg', '20095', 'Mönckebergstraße'],
    ['München', '80331', 'Sendlinger Straße'],
    ['Köln', '50667', 'Hohe Straße'],
    ['Leipzig', '04109', 'Petersstraße'],
  ],
  FR: [
    ['Paris', '75011', 'Rue Oberkampf'],
    ['Lyon', '69002', 'Rue de la République'],
  ],
  NL: [
    ['Amsterdam', '1015 CJ', 'Prinsengracht'],
    ['Utrecht', '3511 LX', 'Oudegracht'],
  ],
  AT: [
    ['Wien', '1070', 'Neubaugasse'],
    ['Graz', '8010', 'Herrengasse'],
  ],
  IT: [
    ['Milano', '20121', 'Via Brera'],
    ['Bologna', '40126', 'Via Zamboni'],
  ],
  ES: [
    ['Madrid', '28004', 'Calle de Fuencarral'],
    ['Valencia', '46002', 'Carrer de la Pau'],
  ],
  BE: [['Gent', '9000', 'Veldstraat']],
  GB: [
    ['London', 'E1 6AN', 'Brick Lane'],
    ['Manchester', 'M4 1HN', 'Oldham Street'],
  ],
  US: [
    ['Los Angeles', '90012', 'S Broadway'],
    ['New York', '10013', 'Canal St'],
    ['Portland', '97205', 'SW Morrison St'],
    ['Austin', '78701', 'Congress Ave'],
  ],
};
const US_REGIONS: Record<string, string> = {
  'Los Angeles': 'CA',
  'New York': 'NY',
  Portland: 'OR',
  Austin: 'TX',
};
const FIRST_NAMES = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hugo',
  'Ida',
  'Jonas',
  'Klara',
  'Leon',
  'Mia',
  'Noah',
  'Olivia',
  'Paul',
  'Quentin',
  'Rosa',
  'Samuel',
  'Tara',
  'Uma',
  'Victor',
  'Wilma',
  'Xavier',
  'Yara',
  'Zoe',
  'Lucas',
  'Sofia',
  'Marco',
  'Elena',
  'James',
  'Grace',
  'Liam',
  'Chloe',
];
const LAST_NAMES = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Martin',
  'Bernard',
  'Dubois',
  'de Vries',
  'Jansen',
  'Rossi',
  'Russo',
  'García',
  'López',
  'Peeters',
  'Huber',
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Miller',
  'Davis',
  'Wagner',
  'Becker',
  'Hoffmann',
  'Lefebvre',
  'Bakker',
  'Conti',
];
const CARRIERS = ['DHL', 'DPD', 'UPS', 'GLS', 'Hermes'];

interface Customer {
  key: string;
  id: string | null;
  email: string;
  firstName: string;
  lastName: string;
  country: string;
  place: readonly [string, string, string];
  houseNumber: number;
}

/** Black Friday (the fourth Friday of November) and the Monday after it. */
function campaignWeight(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  if (month !== 11 && month !== 12) return 1;
  const firstOfNovember = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const blackFriday = 1 + ((5 - firstOfNovember + 7) % 7) + 21;
  const at = new Date(Date.UTC(year, month - 1, day)).getTime();
  const friday = Date.UTC(year, 10, blackFriday);
  if (at === friday) return 2.6;
  if (at === friday + 3 * DAY) return 2.0;
  if (at === friday + DAY || at === friday + 2 * DAY) return 1.5;
  if (month === 12 && day >= 24 && day <= 26) return 0.45;
  if (month === 12 && day >= 14 && day <= 20) return 1.2;
  return 1;
}

const weekday = (date: string): number => new Date(`${date}T12:00:00Z`).getUTCDay();

function weightedIndex(random: SeededRandom, weights: readonly number[]): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let draw = random.float() * total;
  for (let i = 0; i < weights.length; i++) {
    draw -= weights[i];
    if (draw < 0) return i;
  }
  return weights.length - 1;
}

function hex(random: SeededRandom, words: number): string {
  let out = '';
  for (let i = 0; i < words; i++) out += random.uint32().toString(16).padStart(8, '0');
  return out;
}

/** A working-day time `days` after `from`: parcels do not leave on Sundays. */
function afterWorkingDays(from: number, days: number, random: SeededRandom): number {
  let at = from + days * DAY + random.int(1, 8) * HOUR;
  if (new Date(at).getUTCDay() === 0) at += DAY;
  return at;
}

/** The local date `days` before `date` (YYYY-MM-DD). */
function dateBefore(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day - days)).toISOString().slice(0, 10);
}

function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** The demo year: see the top of the file. */
export function generateDemoYear(input: DemoYearInput): DemoYear {
  if (input.variants.length === 0) throw new Error('the demo year needs a catalog with variants for sale');
  if (input.zones.length === 0) throw new Error('the demo year needs the demo shop (shipping zones)');
  const random = new SeededRandom((input.seed ^ 0x9e3779b9) >>> 0);
  const end = new Date(Math.floor(input.now.getTime() / HOUR) * HOUR - HOUR);
  const today = localDate(new Date(end.getTime() - 1), input.timeZone);
  const days = localDaysInUtc(dateBefore(today, input.days - 1), today, input.timeZone);
  const start = days[0].start;

  // Orders per day: season × weekday × campaign × growth × noise, scaled to the asked average.
  const growth = (index: number) => 0.85 + (0.3 * index) / Math.max(1, days.length - 1);
  const raw = days.map((day, index) => {
    const month = Number(day.date.slice(5, 7)) - 1;
    const noise = 0.8 + 0.4 * random.float();
    return (
      MONTH_WEIGHT[month] *
      WEEKDAY_WEIGHT[weekday(day.date)] *
      campaignWeight(day.date) *
      growth(index) *
      noise
    );
  });
  const scale = (input.ordersPerDay * days.length) / raw.reduce((sum, weight) => sum + weight, 0);
  const perDay = raw.map((weight) => Math.floor(weight * scale + random.float()));

  const out: DemoYear = {
    start,
    end,
    users: [],
    carts: [],
    cartItems: [],
    orders: [],
    orderLines: [],
    history: [],
    payments: [],
    paymentAttempts: [],
    refunds: [],
    sandboxCharges: [],
    sandboxRefunds: [],
    fulfilments: [],
    redemptions: [],
  };

  // A few products sell most: popularity falls off along a fixed shuffle of the catalog.
  const popular = random.sample(input.variants, input.variants.length);
  for (let i = popular.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [popular[i], popular[j]] = [popular[j], popular[i]];
  }
  const pickVariant = () => popular[Math.floor(popular.length * Math.pow(random.float(), 2.2))];

  const zoneOf = new Map<string, DemoYearZone>();
  for (const zone of input.zones) for (const country of zone.countries) zoneOf.set(country, zone);
  const countries = COUNTRY_WEIGHT.filter(([country]) => zoneOf.has(country));
  const fallbackCountry = input.zones[0].countries[0];
  const taxRate = (country: string, region: string | null): number =>
    input.taxRates.find((rate) => rate.country === country && rate.region === (region ?? ''))?.rateBp ??
    input.taxRates.find((rate) => rate.country === country && rate.region === '')?.rateBp ??
    0;
  const promotion = (code: string) => input.promotions.find((candidate) => candidate.code === code) ?? null;

  let accountCount = 0;
  let guestCount = 0;
  const buyers: Customer[] = []; // one entry per order: who buys again is drawn in proportion
  const guests: Customer[] = [];
  const newCustomer = (at: number, account: boolean): Customer => {
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    const country =
      countries.length > 0
        ? countries[
            weightedIndex(
              random,
              countries.map(([, w]) => w),
            )
          ][0]
        : fallbackCountry;
    const place = random.pick(PLACES[country] ?? [['Springfield', '12345', 'Main Street']]);
    const handle = `${firstName}.${lastName}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const serial = account ? ++accountCount : ++guestCount;
    const email = `${handle}.${account ? 'c' : 'g'}${serial}@example.com`;
    let id: string | null = null;
    if (account) {
      const createdAt = new Date(Math.max(start.getTime(), at - random.int(10, 60 * 24 * 30) * MINUTE));
      id = random.uuidV7(createdAt.getTime());
      out.users.push({
        id,
        email,
        name: `${firstName} ${lastName}`,
        passwordHash: input.passwordHash,
        createdAt,
      });
    }
    return {
      key: id ?? email,
      id,
      email,
      firstName,
      lastName,
      country,
      place,
      houseNumber: random.int(1, 180),
    };
  };
  const demoCustomer: Customer | null = input.demoCustomer && {
    key: input.demoCustomer.id,
    id: input.demoCustomer.id,
    email: input.demoCustomer.email,
    firstName: input.demoCustomer.name.split(' ')[0] ?? 'Demo',
    lastName: input.demoCustomer.name.split(' ').slice(1).join(' ') || 'Customer',
    country: 'DE',
    place: PLACES.DE[0],
    houseNumber: 12,
  };
  const totalOrders = perDay.reduce((sum, count) => sum + count, 0);

  const chooseCustomer = (at: number): { customer: Customer; first: boolean } => {
    if (demoCustomer && random.chance(8 / Math.max(8, totalOrders)))
      return { customer: demoCustomer, first: false };
    if (random.chance(0.62)) {
      // A customer account: a newcomer, or someone who bought before (the more often, the likelier).
      if (buyers.length > 0 && random.chance(0.62)) return { customer: random.pick(buyers), first: false };
      return { customer: newCustomer(at, true), first: true };
    }
    if (guests.length > 0 && random.chance(0.15)) return { customer: random.pick(guests), first: false };
    const guest = newCustomer(at, false);
    guests.push(guest);
    return { customer: guest, first: true };
  };

  let numberId = input.firstNumberId;
  days.forEach((day, dayIndex) => {
    const placedTimes: number[] = [];
    for (let i = 0; i < perDay[dayIndex]; i++) placedTimes.push(placedAt(random, day));
    placedTimes.sort((a, b) => a - b);
    for (const at of placedTimes) {
      if (at >= end.getTime()) continue;
      const { customer, first } = chooseCustomer(at);
      if (customer.id && customer !== demoCustomer) buyers.push(customer);
      writeOrder(at, customer, first, numberId++);
    }
    // Carts that never became an order: about one and a half per order.
    const abandoned = Math.floor(perDay[dayIndex] * 1.6 + random.float());
    for (let i = 0; i < abandoned; i++) {
      const at = placedAt(random, day);
      if (at < end.getTime()) writeAbandonedCart(at);
    }
  });
  return out;

  function writeAbandonedCart(at: number): void {
    const id = random.uuidV7(at);
    const lines = Math.min(1 + weightedIndex(random, [0.6, 0.3, 0.1]), popular.length);
    const chosen = new Set<DemoYearVariant>();
    while (chosen.size < lines) chosen.add(pickVariant());
    let when = at;
    for (const variant of chosen) {
      when += random.int(20, 300) * 1000;
      out.cartItems.push({
        id: random.uuidV7(when),
        cartId: id,
        variantId: variant.id,
        quantity: 1,
        createdAt: new Date(when),
      });
    }
    out.carts.push({
      id,
      customerId: null,
      tokenHash: hex(random, 8),
      status: 'active',
      email: null,
      promotionCode: null,
      shippingMethodId: null,
      address: null,
      orderId: null,
      version: 1 + chosen.size,
      createdAt: new Date(at),
      updatedAt: new Date(Math.min(when, end.getTime() - 1)),
    });
  }

  function writeOrder(at: number, customer: Customer, firstOrder: boolean, orderNumberId: number): void {
    const endMs = end.getTime();
    // The cart: opened some minutes before checkout, one item per line.
    const cartOpened = at - random.int(3, 45) * MINUTE;
    const cartId = random.uuidV7(cartOpened);
    const orderId = random.uuidV7(at);
    const lineCount = 1 + weightedIndex(random, [0.55, 0.28, 0.12, 0.05]);
    const chosen = new Set<DemoYearVariant>();
    while (chosen.size < Math.min(lineCount, popular.length)) chosen.add(pickVariant());
    const items = [...chosen].map((variant) => ({
      variant,
      quantity: 1 + weightedIndex(random, [0.8, 0.15, 0.05]),
    }));
    let when = cartOpened;
    for (const item of items) {
      when += random.int(15, 240) * 1000;
      out.cartItems.push({
        id: random.uuidV7(when),
        cartId,
        variantId: item.variant.id,
        quantity: item.quantity,
        createdAt: new Date(Math.min(when, at - 1)),
      });
    }

    const country = customer.country;
    const [city, postalCode, street] = customer.place;
    const region = country === 'US' ? (US_REGIONS[city] ?? null) : null;
    const address: PostalAddress = {
      firstName: customer.firstName,
      lastName: customer.lastName,
      line1: `${street} ${customer.houseNumber}`,
      city,
      postalCode,
      ...(region ? { region } : {}),
      country,
    };
    const zone = zoneOf.get(country) ?? input.zones[0];
    const method = zone.methods[zone.methods.length > 1 && random.chance(0.3) ? 1 : 0];
    const month = new Date(at).getUTCMonth();
    const promoChance = month >= 10 ? 0.14 : 0.06;
    const code =
      firstOrder && random.chance(0.35)
        ? 'WELCOME10'
        : random.chance(promoChance)
          ? random.pick(['WELCOME10', 'SAVE5'])
          : null;
    const promo = code ? promotion(code) : null;
    const rateBp = taxRate(country, region);
    const priced = priceCart({
      currency: input.currency,
      priceMode: input.priceMode,
      lines: items.map((item, index) => ({
        key: String(index),
        unitPrice: item.variant.price,
        quantity: item.quantity,
      })),
      promotion: promo,
      shipping: { methodId: method.id, rate: method.rate, freeOver: method.freeOver },
      taxRateBp: rateBp,
    });
    const appliedCode = priced.promotion?.applied ? priced.promotion.code : null;
    const paymentMethod: PaymentMethod = (['card', 'bank_transfer', 'cash_on_delivery'] as const)[
      weightedIndex(random, [0.74, 0.16, 0.1])
    ];
    const customerActor = customer.id ? `user:${customer.id}` : `guest:cart:${cartId}`;
    const tokenHash = customer.id ? null : hex(random, 8);

    const order: OrderRow = {
      id: orderId,
      numberId: orderNumberId,
      number: `${input.orderNumberPrefix}${10_000 + orderNumberId}`,
      cartId,
      customerId: customer.id,
      tokenHash,
      email: customer.email,
      status: 'pending_payment',
      paymentMethod,
      subtotal: priced.subtotal,
      discount: priced.discount,
      shipping: priced.shipping,
      shippingTax: priced.shippingTax,
      tax: priced.tax,
      total: priced.total,
      taxRateBp: rateBp,
      promotionCode: appliedCode,
      shippingMethodId: method.id,
      shippingMethodName: method.name,
      address,
      expiresAt:
        paymentMethod === 'card'
          ? new Date(at + input.reservationTtlSeconds * 1000)
          : paymentMethod === 'bank_transfer'
            ? new Date(at + input.bankTransferHoldDays * DAY)
            : null,
      paymentReminderSentAt: null,
      paidAt: null,
      cancelledAt: null,
      version: 1,
      createdAt: new Date(at),
      updatedAt: new Date(at),
    };
    out.orders.push(order);
    out.carts.push({
      id: cartId,
      customerId: customer.id,
      tokenHash,
      status: 'checked_out',
      email: customer.email,
      promotionCode: code,
      shippingMethodId: method.id,
      address,
      orderId,
      version: 4 + items.length,
      createdAt: new Date(cartOpened),
      updatedAt: new Date(at),
    });
    const lines: OrderLineRow[] = priced.lines.map((line, position) => ({
      id: random.uuidV7(at),
      orderId,
      position,
      variant: items[position].variant,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      subtotal: line.subtotal,
      discount: line.discount,
      tax: line.tax,
      total: line.total,
      fulfilledQuantity: 0,
    }));
    out.orderLines.push(...lines);

    // Its life, step by step; a step that would come after the end of the year has not happened yet.
    const move = (to: OrderStatus, time: number, actor: string, reason: string | null): boolean => {
      if (time >= endMs) return false;
      out.history.push({
        orderId,
        fromStatus: order.status,
        toStatus: to,
        actor,
        reason,
        createdAt: new Date(time),
      });
      order.status = to;
      order.version += 1;
      order.updatedAt = new Date(time);
      return true;
    };
    out.history.push({
      orderId,
      fromStatus: null,
      toStatus: 'pending_payment',
      actor: customerActor,
      reason: 'checkout',
      createdAt: new Date(at),
    });
    let redemption: RedemptionRow | null = null;
    if (appliedCode && promo) {
      redemption = {
        id: random.uuidV7(at),
        promotionId: promo.id,
        orderId,
        customerKey: `email:${customer.email}`, // as checkout keys it
        releasedAt: null,
        createdAt: new Date(at),
      };
      out.redemptions.push(redemption);
    }
    const cancel = (time: number, actor: string, reason: string): boolean => {
      if (!move('cancelled', time, actor, reason)) return false;
      order.cancelledAt = new Date(time);
      if (redemption) redemption.releasedAt = new Date(time);
      return true;
    };

    // Payment.
    let payment: PaymentRow | null = null;
    let charge: SandboxChargeRow | null = null;
    const pay = (time: number, provider: 'sandbox' | 'manual', inPlace: boolean): boolean => {
      if (time >= endMs) return false;
      const paymentId = random.uuidV7(time - 2_000);
      payment = {
        id: paymentId,
        orderId,
        provider,
        providerReference: provider === 'sandbox' ? `sbx_${hex(random, 4)}` : null,
        amount: order.total,
        state: 'captured',
        refundedAmount: 0,
        recordedBy: provider === 'manual' ? input.staffActor : null,
        version: 2,
        createdAt: new Date(time - 2_000),
        updatedAt: new Date(time),
      };
      out.payments.push(payment);
      out.paymentAttempts.push({
        paymentId,
        operation: provider === 'sandbox' ? 'webhook' : `manual:${paymentMethod}`,
        outcome: 'captured',
        createdAt: new Date(time),
      });
      if (provider === 'sandbox') {
        charge = {
          id: payment.providerReference!,
          paymentId,
          card: '4242',
          amount: order.total,
          refunded: 0,
          createdAt: new Date(time - 1_500),
        };
        out.sandboxCharges.push(charge);
      }
      order.paidAt = new Date(time);
      order.expiresAt = null;
      if (inPlace) {
        order.version += 1;
        order.updatedAt = new Date(time);
      } else move('paid', time, `payment:${paymentId}`, null);
      return true;
    };
    const refund = (time: number, amount: number, requestedBy: string, reason: string): boolean => {
      const paid = payment;
      if (!paid || time >= endMs || amount <= 0) return false;
      const refundId = random.uuidV7(time);
      const sandboxCharge = charge;
      const reference = sandboxCharge ? `sbxre_${hex(random, 4)}` : null;
      out.refunds.push({
        id: refundId,
        paymentId: paid.id,
        amount,
        providerReference: reference,
        reason,
        requestedBy,
        createdAt: new Date(time),
      });
      if (sandboxCharge && reference) {
        out.sandboxRefunds.push({
          id: reference,
          chargeId: sandboxCharge.id,
          refundId,
          amount,
          createdAt: new Date(time),
        });
        sandboxCharge.refunded += amount;
      }
      paid.refundedAmount += amount;
      paid.state = paid.refundedAmount >= paid.amount ? 'refunded' : 'partially_refunded';
      paid.version += 1;
      paid.updatedAt = new Date(time);
      return true;
    };

    const fulfil = (time: number): boolean => {
      if (time >= endMs) return false;
      const fulfilmentId = random.uuidV7(time);
      const carrier = random.pick(CARRIERS);
      const trackingNumber = `${carrier.slice(0, 2).toUpperCase()}${random.int(100_000_000, 999_999_999)}`;
      out.fulfilments.push({
        id: fulfilmentId,
        orderId,
        carrier,
        trackingNumber,
        actor: input.staffActor,
        createdAt: new Date(time),
        lines: lines.map((line) => ({ orderLineId: line.id, quantity: line.quantity })),
      });
      for (const line of lines) line.fulfilledQuantity = line.quantity;
      return move(
        'fulfilled',
        time,
        input.staffActor,
        `fulfilment ${fulfilmentId} (${carrier} ${trackingNumber})`,
      );
    };
    /** Fulfilled, shipped, delivered; the time it was delivered, or null while on its way. */
    const ship = (from: number): number | null => {
      const fulfilled = afterWorkingDays(from, random.int(0, 1), random);
      if (!fulfil(fulfilled)) return null;
      const shipped = fulfilled + random.int(1, 6) * HOUR;
      if (!move('shipped', shipped, input.staffActor, null)) return null;
      const delivered = afterWorkingDays(shipped, random.int(1, 4), random);
      return move('delivered', delivered, input.staffActor, null) ? delivered : null;
    };

    if (paymentMethod === 'cash_on_delivery') {
      if (random.chance(0.05)) {
        cancel(at + random.int(10, 600) * MINUTE, customerActor, 'changed my mind');
        return;
      }
      const delivered = ship(at);
      if (delivered !== null) pay(delivered + random.int(1, 48) * HOUR, 'manual', true);
      return;
    }
    if (paymentMethod === 'card') {
      const expiresAt = order.expiresAt!.getTime();
      // An abandoned payment expires with the reservation, unless that is still to come.
      if (random.chance(0.025) && expiresAt < endMs) {
        cancel(expiresAt + random.int(1, 30) * 1000, 'system:expiry', 'payment not received in time');
        return;
      }
      // Paid within minutes (at the latest just before the end: a card order is never left to expire).
      pay(Math.min(at + random.int(20, 240) * 1000, endMs - 1), 'sandbox', false);
    } else {
      const expiresAt = order.expiresAt!.getTime();
      const reminder = expiresAt - input.bankTransferReminderHours * HOUR;
      if (random.chance(0.14)) {
        if (reminder < endMs) order.paymentReminderSentAt = new Date(reminder + random.int(1, 60) * 1000);
        cancel(expiresAt + random.int(1, 120) * 1000, 'system:expiry', 'payment not received in time');
        return;
      }
      const paidAt = at + random.int(18, 24 * 6) * HOUR;
      if (paidAt > reminder && reminder < endMs)
        order.paymentReminderSentAt = new Date(reminder + random.int(1, 60) * 1000);
      if (!pay(paidAt, 'manual', false)) return;
    }
    const paidAt = order.paidAt!.getTime();
    // A customer who changes their mind before it ships: a card payment goes back in full.
    if (paymentMethod === 'card' && random.chance(0.018)) {
      const cancelledAt = paidAt + random.int(5, 240) * MINUTE;
      if (cancel(cancelledAt, customerActor, 'ordered by mistake'))
        refund(
          cancelledAt + 1_000,
          order.total,
          `system:cancel:${customerActor}`,
          'order cancelled: ordered by mistake',
        );
      return;
    }
    const delivered = ship(paidAt);
    if (delivered === null || !random.chance(0.035)) return;
    // A return: one line (or a part of it) comes back, now and then everything.
    const refundedAt = afterWorkingDays(delivered, random.int(2, 20), random);
    const everything = random.chance(0.2);
    const line = random.pick(lines);
    const amount = everything ? order.total : Math.round(line.total / line.quantity);
    const reason = everything ? 'returned: all items' : `returned: ${line.variant.sku}`;
    if (refund(refundedAt, amount, input.staffActor, reason))
      move(everything ? 'refunded' : 'partially_refunded', refundedAt, input.staffActor, reason);
  }
}

/** A moment in a local day, busier in the evening. */
function placedAt(random: SeededRandom, day: LocalDayInUtc): number {
  const hour = weightedIndex(random, HOUR_WEIGHT.slice(0, day.hours).concat(day.hours > 24 ? [0.5] : []));
  return day.start.getTime() + hour * HOUR + random.int(0, HOUR - 1);
}
