/** Whether and how this process traces (OpenTelemetry); see `tracingSettings`. */
export interface TracingSettings {
  enabled: boolean;
  /**
   * The operator chose a sampler (OTEL_TRACES_SAMPLER): the SDK builds it. Otherwise Storekeep's is
   * used: parent-based, new traces sampled at `rootSampleRatio`, orphan client spans dropped.
   */
  samplerFromEnvironment: boolean;
  /** OTEL_TRACES_SAMPLER_ARG when given (0..1), else 1. */
  rootSampleRatio: number;
}

/**
 * Reads what tracing needs before the application's modules load (it cannot wait for `loadConfig`:
 * the instrumentations must patch http, mysql2 and ioredis before anything requires them). The
 * standard OTEL_* variables are read by the SDK itself; this decides whether to start it at all.
 *
 * Off unless the operator says where traces go: on when `OTEL_SDK_DISABLED=false` is set explicitly,
 * or when OTEL_TRACES_EXPORTER (other than `none`), OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; `OTEL_SDK_DISABLED=true` always wins. (The
 * specification's default is on; Storekeep's is off, so that a process nobody configured for tracing
 * loads no SDK, patches nothing and pays nothing.) When on, OTEL_SERVICE_NAME defaults to the process
 * (`storekeep-api`, `storekeep-worker`).
 */
export function tracingSettings(
  serviceName: string,
  environment: NodeJS.ProcessEnv = process.env,
): TracingSettings {
  const value = (name: string) => environment[name]?.trim() || undefined;
  const ratio = Number(value('OTEL_TRACES_SAMPLER_ARG') ?? '1');
  const settings: TracingSettings = {
    enabled: tracingRequested(value),
    samplerFromEnvironment: value('OTEL_TRACES_SAMPLER') !== undefined,
    rootSampleRatio: Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1,
  };
  if (settings.enabled) environment.OTEL_SERVICE_NAME ??= serviceName;
  return settings;
}

function tracingRequested(value: (name: string) => string | undefined): boolean {
  const disabled = value('OTEL_SDK_DISABLED')?.toLowerCase();
  if (disabled === 'true') return false;
  if (disabled === 'false') return true;
  const exporter = value('OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter) return exporter !== 'none';
  return Boolean(value('OTEL_EXPORTER_OTLP_ENDPOINT') ?? value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'));
}
