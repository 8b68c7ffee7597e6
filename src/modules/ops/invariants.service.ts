import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { QueueRegistry } from '../../queues/queue.registry';
import { InvariantsRepository, type ViolationRows } from './invariants.repository';

/** One invariant checked: how many things break it (0 when it holds) and a few of them. */
export interface InvariantResult {
  name: string;
  description: string;
  count: number;
  samples: string[];
}

export interface InvariantReport {
  checkedAt: string;
  /** True when every invariant holds. */
  ok: boolean;
  violations: number;
  invariants: InvariantResult[];
}

export interface InvariantThresholds {
  /** How long after its deadline a reservation or order may still be open (the sweeps run each minute). */
  deadlineGraceSeconds: number;
  /** How old an unpublished outbox row may be: 2 relay intervals plus this grace. */
  outboxGraceMs: number;
  /** How far back the payment checks look. */
  paymentWindowHours: number;
}

export const DEFAULT_THRESHOLDS: InvariantThresholds = {
  deadlineGraceSeconds: 120,
  outboxGraceMs: 1_000,
  paymentWindowHours: 7 * 24,
};

const SAMPLES = 10;

/**
 * Checks what must hold in a running Storekeep whatever was killed or restarted meanwhile (issue 19):
 * nothing open past its deadline, no job stuck active without a worker, no outbox row left behind,
 * no stock out of its bounds, no double or orphan charge. Read-only; `npm run check:invariants`
 * runs it against any environment, the chaos tests after every scenario.
 */
@Injectable()
export class InvariantsService {
  constructor(
    private readonly config: AppConfig,
    private readonly rows: InvariantsRepository,
    private readonly queues: QueueRegistry,
  ) {}

  async check(overrides: Partial<InvariantThresholds> = {}): Promise<InvariantReport> {
    const limits = { ...DEFAULT_THRESHOLDS, ...overrides };
    const outboxAgeMs = 2 * this.config.outbox.pollIntervalMs + limits.outboxGraceMs;
    const window = limits.paymentWindowHours;
    const grace = limits.deadlineGraceSeconds;
    const checks: Array<[name: string, description: string, rows: () => Promise<ViolationRows>]> = [
      [
        'reservations.pastDeadline',
        `active stock reservations more than ${grace} s past their deadline`,
        () => this.rows.reservationsPastDeadline(grace),
      ],
      [
        'orders.pastDeadline',
        `orders awaiting payment more than ${grace} s past their deadline`,
        () => this.rows.ordersPastDeadline(grace),
      ],
      [
        'stock.outOfBounds',
        'stock levels below zero or reserving more than on hand',
        () => this.rows.impossibleStock(),
      ],
      [
        'stock.reservedAdrift',
        'stock levels whose reserved count differs from their active reservations',
        () => this.rows.reservedStockAdrift(),
      ],
      [
        'outbox.unpublished',
        `outbox rows unpublished for more than ${outboxAgeMs} ms`,
        () => this.rows.outboxUnpublishedOlderThan(outboxAgeMs),
      ],
      ['jobs.stuckActive', 'Bull jobs active with no worker holding their lock', () => this.stalledJobs()],
      [
        'payments.doubleCharge',
        `orders with more than one payment holding money (${window} h)`,
        () => this.rows.ordersChargedTwice(window),
      ],
      [
        'payments.orphanCharge',
        `payments holding money for an order that is missing or unpaid (${window} h)`,
        () => this.rows.chargesWithoutPaidOrder(window),
      ],
      [
        'orders.paidWithoutPayment',
        `orders paid with no payment that held money (${window} h)`,
        () => this.rows.paidOrdersWithoutPayment(window),
      ],
    ];
    const invariants: InvariantResult[] = await Promise.all(
      checks.map(async ([name, description, rows]) => ({ name, description, ...(await rows()) })),
    );
    const violations = invariants.reduce((sum, invariant) => sum + invariant.count, 0);
    return { checkedAt: new Date().toISOString(), ok: violations === 0, violations, invariants };
  }

  /**
   * Active jobs whose lock is gone: the worker that took them died and Bull's stalled check has not
   * moved them back yet (or no worker runs it). A job seen without its lock counts only if it is
   * still active after that, so one finishing between the two reads is not taken for stuck.
   */
  private async stalledJobs(): Promise<ViolationRows> {
    const stuck: string[] = [];
    for (const queue of this.queues.all()) {
      for (const id of await this.unlockedActiveIds(queue)) stuck.push(`${queue.name}:${id}`);
    }
    return { count: stuck.length, samples: stuck.slice(0, SAMPLES) };
  }

  private async unlockedActiveIds(queue: Queue): Promise<string[]> {
    const client = queue.client;
    const active = await client.lrange(queue.toKey('active'), 0, -1);
    if (active.length === 0) return [];
    const locked = await Promise.all(active.map((id) => client.exists(`${queue.toKey(id)}:lock`)));
    const unlocked = active.filter((_, index) => locked[index] === 0);
    if (unlocked.length === 0) return [];
    const stillActive = new Set(await client.lrange(queue.toKey('active'), 0, -1));
    return unlocked.filter((id) => stillActive.has(id));
  }
}
