import { withTimeout } from '@app/common';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { SalesReconciliationService } from '../analytics';
import { JobFailureCounterService } from '../notifications';
import { OutboxService } from '../outbox';
import { QueueRegistry } from '../../queues/queue.registry';
import { RequestDurations } from './request-durations';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const COLLECT_TIMEOUT_MS = 1_000;

/** A collector's value, or undefined when its dependency fails or takes longer than a scrape should. */
function bounded<T>(promise: Promise<T>): Promise<T | undefined> {
  return withTimeout(promise, COLLECT_TIMEOUT_MS, 'collector timed out').catch(() => undefined);
}

/**
 * Prometheus metrics of one API process: Node's process metrics, request durations by route
 * template (never by raw URL, which would explode the label set), queue depths and outbox lag.
 * The registry is per application so several apps in one process (tests) do not collide.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly httpDuration: RequestDurations;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: QueueRegistry,
    private readonly outbox: OutboxService,
    private readonly jobFailures: JobFailureCounterService,
    private readonly salesReconciliation: SalesReconciliationService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new RequestDurations(
      'http_request_duration_seconds',
      'HTTP request duration by method, route template and status code',
      [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      this.registry,
    );
    const registry = this.queues;
    new Gauge({
      name: 'bull_queue_jobs',
      help: 'Jobs in each Bull queue by state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        await Promise.all(
          registry.all().map(async (queue) => {
            const name = queue.name;
            const counts = await bounded(queue.getJobCounts());
            // Redis down or slow: keep the last values rather than fail the whole scrape.
            if (counts) for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state]);
          }),
        );
      },
    });
    // Counted by the worker where jobs fail (it has no HTTP), kept in Redis, reported here at scrape.
    const failureCounts = this.jobFailures;
    new Counter({
      name: 'bull_jobs_failed_total',
      help: 'Jobs that ran out of retries (or were discarded as hopeless), by queue and job name',
      labelNames: ['queue', 'name'],
      registers: [this.registry],
      async collect() {
        const counts = await bounded(failureCounts.counts());
        // Redis down or slow: keep the last values rather than fail the whole scrape.
        if (!counts) return;
        this.reset();
        for (const { queue, name, count } of counts) this.inc({ queue, name }, count);
      },
    });
    // Recorded by the worker's nightly reconciliation in MySQL; read at scrape (one small SUM each).
    // MySQL down or slow: keep the last values rather than fail the whole scrape.
    const reconciliation = this.salesReconciliation;
    new Counter({
      name: 'sales_rollup_buckets_corrected_total',
      help: 'Hourly sales buckets the nightly reconciliation found drifted and rewrote',
      registers: [this.registry],
      async collect() {
        const totals = await bounded(reconciliation.totals());
        if (!totals) return;
        this.reset();
        this.inc(totals.bucketsCorrected);
      },
    });
    new Counter({
      name: 'sales_rollup_amount_corrected_total',
      help: 'Sum of |difference| of the money measures the reconciliation corrected, minor units',
      registers: [this.registry],
      async collect() {
        const totals = await bounded(reconciliation.totals());
        if (!totals) return;
        this.reset();
        this.inc(totals.amountCorrected);
      },
    });
    new Gauge({
      name: 'sales_rollup_last_reconciliation_timestamp_seconds',
      help: 'When the sales rollups were last reconciled (0: never)',
      registers: [this.registry],
      async collect() {
        const totals = await bounded(reconciliation.totals());
        if (totals) this.set(totals.lastRunAt ? totals.lastRunAt.getTime() / 1000 : 0);
      },
    });
    const outboxService = this.outbox;
    const pending = new Gauge({
      name: 'outbox_pending_messages',
      help: 'Outbox rows written but not yet published to a queue',
      registers: [this.registry],
    });
    new Gauge({
      name: 'outbox_lag_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when none)',
      registers: [this.registry],
      async collect() {
        // MySQL down or slow: keep the last values rather than fail the whole scrape.
        const backlog = await bounded(outboxService.backlog());
        if (!backlog) return;
        this.set(backlog.oldestAgeSeconds);
        pending.set(backlog.pending);
      },
    });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      this.httpDuration.observe(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
