import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';

/**
 * Contract checks for the e2e suite: every response `request()` receives from an API that a test
 * started is checked against the OpenAPI document that API serves at /docs-json — its status must be
 * documented for the operation, its content type among the documented ones, and a JSON body must
 * match the documented schema (problem+json included). A drift fails the test that saw it.
 *
 * Schemas compile once per process (per distinct document) and on first use; checks are synchronous.
 */

type Schema = Record<string, unknown>;
type MediaType = { schema?: Schema };
type Response = { $ref?: string; description?: string; content?: Record<string, MediaType> };
type Operation = { responses?: Record<string, Response> };
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components?: { responses?: Record<string, Response> };
};

interface Route {
  template: string;
  pattern: RegExp;
  parameters: number;
  item: Record<string, Operation>;
}

class Contract {
  private readonly ajv: Ajv2020;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Document) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats(this.ajv);
    for (const format of ['binary', 'byte', 'int32', 'int64', 'float', 'double', 'password'])
      this.ajv.addFormat(format, true);
    this.ajv.addSchema(document, 'openapi');
    // Static segments win over parameters (`/v1/orders/mine` before `/v1/orders/{id}`).
    this.routes = Object.entries(document.paths)
      .map(([template, item]) => ({
        template,
        item,
        parameters: (template.match(/\{[^}]+\}/g) ?? []).length,
        pattern: new RegExp(
          `^${template
            .split(/(\{[^}]+\})/)
            .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
            .join('')}$`,
        ),
      }))
      .sort((a, b) => a.parameters - b.parameters);
  }

  /** Problems with this exchange (empty when it is as documented, or not a documented operation). */
  check(method: string, url: URL, status: number, contentType: string | null, text: string): string[] {
    const path = url.pathname;
    const route = this.routes.find((candidate) => candidate.pattern.test(path));
    const operation = route?.item[method.toLowerCase()];
    if (!route || !operation) return []; // not in the document (docs, queue board, a 404 probe)
    const where = `${method.toUpperCase()} ${route.template}`;
    const responses = operation.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find(
      (candidate) => responses[candidate],
    );
    if (!key)
      return [
        `${where}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`,
      ];
    if (method.toUpperCase() === 'HEAD') return [];
    const response = this.resolve(responses[key]);
    const content = response.content ?? {};
    const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
    if (Object.keys(content).length === 0) {
      return text.length === 0 || status === 304
        ? []
        : [`${where} ${status}: a ${mediaType || 'untyped'} body, but the document says none`];
    }
    if (status === 304 || (text.length === 0 && status === 204)) return [];
    const documented = Object.keys(content).find((type) => mediaTypeMatches(type, mediaType));
    if (!documented)
      return [
        `${where} ${status}: content type ${mediaType || '(none)'} is not one of ${Object.keys(content).join(', ')}`,
      ];
    if (!/[/+]json$/.test(essence(documented)) || !content[documented].schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${where} ${status}: the ${mediaType} body is not JSON`];
    }
    const validate = this.validator(route.template, method, key, documented, responses[key]);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${where} ${status}: body${error.instancePath} ${error.message ?? 'is invalid'}` +
        (error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : ''),
    );
  }

  private resolve(response: Response): Response {
    const name = response.$ref?.replace('#/components/responses/', '');
    return name ? (this.document.components?.responses?.[name] ?? {}) : response;
  }

  private validator(
    template: string,
    method: string,
    status: string,
    mediaType: string,
    response: Response,
  ): ValidateFunction {
    const pointer = response.$ref
      ? `${response.$ref}/content/${escape(mediaType)}/schema`
      : `#/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}/content/${escape(mediaType)}/schema`;
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}

const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The media type without its parameters (`text/plain; version=0.0.4` is a documented key too). */
const essence = (mediaType: string): string => mediaType.split(';')[0].trim().toLowerCase();

function mediaTypeMatches(documentedKey: string, actual: string): boolean {
  const documented = essence(documentedKey);
  if (documented === '*/*' || documented === actual) return true;
  const [type, subtype] = documented.split('/');
  return subtype === '*' && actual.startsWith(`${type}/`);
}

const contractsByDocument = new Map<string, Contract>();
const contractsByOrigin = new Map<string, Contract>();

/**
 * Checks the responses of the API at `baseUrl` against `document` (TestEnvironment.startApi calls
 * this with the document the app serves). One compiled contract per distinct document per process.
 */
export function registerContract(baseUrl: string, document: object | undefined): void {
  const origin = new URL(baseUrl).origin;
  if (!document) {
    contractsByOrigin.delete(origin);
    return;
  }
  const text = JSON.stringify(document);
  const hash = createHash('sha1').update(text).digest('hex');
  let contract = contractsByDocument.get(hash);
  if (!contract) {
    contract = new Contract(JSON.parse(text) as Document);
    contractsByDocument.set(hash, contract);
  }
  contractsByOrigin.set(origin, contract);
}

export function unregisterContract(baseUrl: string): void {
  contractsByOrigin.delete(new URL(baseUrl).origin);
}

/** Throws when the exchange breaks the contract of the API it went to (if a test started that API). */
export function assertContract(
  method: string,
  url: string,
  status: number,
  headers: Headers,
  text: string,
): void {
  const target = new URL(url);
  const contract = contractsByOrigin.get(target.origin);
  if (!contract) return;
  const problems = contract.check(method, target, status, headers.get('content-type'), text);
  if (problems.length === 0) return;
  const error = new Error(
    `The response breaks the OpenAPI document the API serves:\n  ${problems.slice(0, 20).join('\n  ')}` +
      `\nBody: ${text.slice(0, 1000)}`,
  );
  error.name = 'ContractError';
  throw error;
}
