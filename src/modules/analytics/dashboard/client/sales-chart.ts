import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { formatMoney } from './periods';

// Only what a line chart uses: esbuild leaves the rest of Chart.js out of the bundle.
Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Tooltip,
  Legend,
  Filler,
);

// Lets scripts (and the browser test) reach the charts as with Chart.js's UMD build: Chart.getChart(canvas).
(window as unknown as { Chart: typeof Chart }).Chart = Chart;

export interface SalesSeries {
  currency: string;
  /** Local period start dates of the chosen range. */
  periods: string[];
  /** Net per period, minor units (the report's own integers; only the axis and tooltip format them). */
  net: number[];
  /** Net of the previous period of the same length, day by day. */
  previousNet: number[];
}

let chart: Chart<'line', number[], string> | undefined;

/** Draws (or redraws) the net sales per day of one currency, with the previous period for comparison. */
export function drawSalesChart(canvas: HTMLCanvasElement, series: SalesSeries): void {
  const money = (value: number | string) => formatMoney(Math.round(Number(value)), series.currency);
  const data = {
    labels: series.periods,
    datasets: [
      {
        label: `Net sales (${series.currency})`,
        data: series.net,
        borderColor: '#1f6feb',
        backgroundColor: 'rgba(31, 111, 235, 0.12)',
        fill: true,
        tension: 0.25,
        pointRadius: series.periods.length > 45 ? 0 : 3,
      },
      {
        label: 'Previous period',
        data: series.previousNet,
        borderColor: '#8b949e',
        borderDash: [6, 4],
        fill: false,
        tension: 0.25,
        pointRadius: 0,
      },
    ],
  };
  if (chart && chart.canvas === canvas) {
    chart.data = data;
    chart.options.scales!.y!.ticks!.callback = money;
    chart.update();
    return;
  }
  chart?.destroy();
  chart = new Chart(canvas, {
    type: 'line',
    data,
    options: {
      // The box's size comes from the stylesheet (no inline styles under the page's CSP).
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: { beginAtZero: true, ticks: { callback: money } },
        x: { ticks: { maxTicksLimit: 12 } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label ?? ''}: ${money(item.parsed.y ?? 0)}`,
          },
        },
      },
    },
  });
}
