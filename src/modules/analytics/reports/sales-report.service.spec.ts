import { AppConfig } from '@app/config';
import { buildWithMocks } from '@app/testing/unit-fixture';
import { ReplicaReads } from '@app/database';
import type { EntityManager } from 'typeorm';
import { type SalesMeasures, zeroMeasures } from '../sales-measures';
import { SalesRollupsRepository } from '../sales-rollups.repository';
import { averageHalfUp, SalesReportService } from './sales-report.service';

const measures = (values: Partial<SalesMeasures>): SalesMeasures => ({ ...zeroMeasures(), ...values });

describe('SalesReportService: rollup sums → report rows', () => {
  async function build() {
    const fixture = await buildWithMocks(SalesReportService, {
      provide: [
        [AppConfig, { analytics: { storeTimeZone: 'Europe/Berlin' } }],
        [ReplicaReads, { lagging: (work: (manager: EntityManager) => unknown) => work({} as EntityManager) }],
      ],
    });
    return { service: fixture.subject, rollups: fixture.mock(SalesRollupsRepository) };
  }

  it('asks for the periods’ UTC edges and fills every period of every active currency, zeros included', async () => {
    const { service, rollups } = await build();
    rollups.sumByPeriod.mockResolvedValue([
      { period: 0, currency: 'USD', measures: measures({ ordersPlaced: 2, placedTotal: 1001, net: 900 }) },
      { period: 2, currency: 'EUR', measures: measures({ ordersPlaced: 3, placedTotal: 1000, refunds: 50 }) },
    ]);
    const report = await service.report({ from: '2026-10-24', to: '2026-10-26', interval: 'day' });

    expect(rollups.sumByPeriod.mock.calls[0][1].map((edge) => edge.toISOString())).toEqual([
      '2026-10-23T22:00:00.000Z',
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z', // the 25-hour day ends an hour later in UTC
      '2026-10-26T23:00:00.000Z',
    ]);
    expect(report).toEqual(
      expect.objectContaining({ timeZone: 'Europe/Berlin', interval: 'day', from: '2026-10-24', to: '2026-10-26' }),
    );
    expect(report.data.map((row) => [row.period, row.currency, row.ordersPlaced, row.averageOrderValue])).toEqual([
      ['2026-10-24', 'EUR', 0, 0],
      ['2026-10-24', 'USD', 2, 501], // 500.5, half up
      ['2026-10-25', 'EUR', 0, 0],
      ['2026-10-25', 'USD', 0, 0],
      ['2026-10-26', 'EUR', 3, 333],
      ['2026-10-26', 'USD', 0, 0],
    ]);
    expect(report.totals).toEqual([
      expect.objectContaining({ currency: 'EUR', ordersPlaced: 3, refunds: 50, averageOrderValue: 333 }),
      expect.objectContaining({ currency: 'USD', ordersPlaced: 2, net: 900, averageOrderValue: 501 }),
    ]);
    expect(Object.keys(report.data[0])).not.toContain('placedTotal');
  });

  it('a currency asked for gets its rows even without activity; no activity and no currency: no rows', async () => {
    const { service, rollups } = await build();
    rollups.sumByPeriod.mockResolvedValue([]);
    const eur = await service.report({ from: '2026-03-01', to: '2026-03-31', interval: 'week', currency: 'EUR' });
    expect(rollups.sumByPeriod.mock.calls[0][2]).toBe('EUR');
    expect(eur.data.map((row) => [row.period, row.currency, row.net])).toEqual(
      ['2026-03-01', '2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30'].map((period) => [
        period,
        'EUR',
        0,
      ]),
    );
    expect(eur.totals).toEqual([expect.objectContaining({ currency: 'EUR', ordersPlaced: 0 })]);
    const none = await service.report({ from: '2026-03-01', to: '2026-03-31', interval: 'month' });
    expect([none.data, none.totals]).toEqual([[], []]);
  });

  it.each([
    [5, 2, 3],
    [7, 2, 4],
    [10, 4, 3],
    [1001, 2, 501],
    [1000, 3, 333],
    [2, 3, 1],
    [1, 3, 0],
    [0, 0, 0],
    [123, 0, 0],
  ])('average of %i over %i orders, half up: %i', (total, count, average) => {
    expect(averageHalfUp(total, count)).toBe(average);
  });
});
