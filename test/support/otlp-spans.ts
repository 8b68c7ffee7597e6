import type { WebhookReceiver } from './webhook-receiver';

/** One span as a traced process exported it over OTLP/HTTP (JSON encoding: ids in hex). */
export interface ExportedSpan {
  service: string;
  /** The instrumentation scope that made it (`@opentelemetry/instrumentation-mysql2`, `storekeep`). */
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean | undefined>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
      }>;
    }>;
  }>;
}

const valueOf = (value: OtlpValue) =>
  value.stringValue ??
  (value.intValue === undefined ? undefined : Number(value.intValue)) ??
  value.boolValue ??
  value.doubleValue;
const attributesOf = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map((attribute) => [attribute.key, valueOf(attribute.value)]));

/**
 * The spans a WebhookReceiver got as an OTLP/HTTP collector (OTEL_EXPORTER_OTLP_PROTOCOL=http/json,
 * OTEL_EXPORTER_OTLP_ENDPOINT its URL): a real exporter over real HTTP, read back by the test.
 */
export function exportedSpans(collector: WebhookReceiver): ExportedSpan[] {
  return collector.received
    .filter((request) => request.body.startsWith('{'))
    .flatMap((request) =>
      ((JSON.parse(request.body) as OtlpExport).resourceSpans ?? []).flatMap((resourceSpans) => {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
        return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
          (scopeSpans.spans ?? []).map((span) => ({
            service,
            scope: scopeSpans.scope?.name ?? '',
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
          })),
        );
      }),
    );
}

/** Whether `span` descends from `ancestor` within `spans` (following parentSpanId). */
export function descendsFrom(span: ExportedSpan, ancestor: ExportedSpan, spans: ExportedSpan[]): boolean {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId))
    if (parent.spanId === ancestor.spanId) return true;
  return false;
}
