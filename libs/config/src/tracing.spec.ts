import { tracingSettings } from './tracing';

describe('tracingSettings', () => {
  const enabled = (environment: NodeJS.ProcessEnv) => tracingSettings('storekeep-api', environment).enabled;

  it('is off by default, and when the exporter is none or the SDK disabled', () => {
    expect(enabled({})).toBe(false);
    expect(enabled({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(enabled({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(
      false,
    );
    expect(enabled({ OTEL_SERVICE_NAME: 'shop', OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
  });

  it('is on when told where traces go, or when the SDK is explicitly enabled', () => {
    expect(enabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(enabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(enabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(enabled({ OTEL_SDK_DISABLED: 'false' })).toBe(true);
  });

  it('names the service after the process unless the operator did', () => {
    const environment: NodeJS.ProcessEnv = { OTEL_TRACES_EXPORTER: 'console' };
    tracingSettings('storekeep-worker', environment);
    expect(environment.OTEL_SERVICE_NAME).toBe('storekeep-worker');
    const named: NodeJS.ProcessEnv = { OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'shop' };
    tracingSettings('storekeep-worker', named);
    expect(named.OTEL_SERVICE_NAME).toBe('shop');
    const off: NodeJS.ProcessEnv = {};
    tracingSettings('storekeep-worker', off);
    expect(off.OTEL_SERVICE_NAME).toBeUndefined();
  });

  it('reads the sampling ratio, and whether the operator chose a sampler', () => {
    expect(tracingSettings('s', { OTEL_TRACES_SAMPLER_ARG: '0.25' }).rootSampleRatio).toBe(0.25);
    expect(tracingSettings('s', { OTEL_TRACES_SAMPLER_ARG: '7' }).rootSampleRatio).toBe(1);
    expect(tracingSettings('s', {}).samplerFromEnvironment).toBe(false);
    expect(tracingSettings('s', { OTEL_TRACES_SAMPLER: 'always_off' }).samplerFromEnvironment).toBe(true);
  });
});
