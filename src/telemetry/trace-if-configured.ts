import { tracingSettings } from '@app/config/tracing';

/**
 * Starts tracing when the OTEL_* variables ask for it (libs/config/src/tracing.ts). Off, the SDK is
 * not even loaded: the require below is deferred on purpose, so nothing is patched and nothing paid.
 */
export function traceIfConfigured(serviceName: 'storekeep-api' | 'storekeep-worker'): void {
  const settings = tracingSettings(serviceName);
  if (!settings.enabled) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
  (require('./tracing') as typeof import('./tracing')).startTracing(settings);
}
