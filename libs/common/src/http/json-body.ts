import { DomainError } from '../errors/domain-error';

/** How deep a JSON body may nest: far more than any request of this API needs, far less than a stack. */
export const JSON_MAX_DEPTH = 64;

/** The one body media type the API's routes take (the CSV import takes `text/csv` on its route only). */
export const JSON_MEDIA_TYPE = 'application/json';

export class JsonTooDeepError extends DomainError {
  readonly kind = 'malformed';
  readonly type = 'json-too-deep';
  readonly title = 'The JSON body is nested too deeply';
  constructor(maxDepth: number) {
    super(`Objects and arrays in the request body may nest at most ${maxDepth} levels deep.`, { maxDepth });
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * True when the JSON text nests objects/arrays deeper than `maxDepth`: one pass over the bytes,
 * counting brackets outside strings, stopping at the first level too deep. It runs before the parse,
 * so a hostile body costs a linear scan, never a deep recursion later (class-transformer recurses
 * without limit: 3,000 levels overflowed its stack). UTF-8 continuation bytes are all ≥ 0x80, so
 * scanning bytes is exact; invalid JSON is left to the parser.
 */
export function exceedsJsonDepth(body: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * A content-type parser for application/json that refuses bodies nested deeper than `maxDepth`
 * (400 `json-too-deep`) and hands the rest to Fastify's own parser (secure-json-parse, with its
 * prototype-poisoning checks).
 */
export function depthLimitedJsonParser<Request>(
  // Fastify types its parsers as maybe async; its default JSON parser answers through `done`.
  fastifyJsonParser: (request: Request, body: string, done: Done) => void | Promise<unknown>,
  maxDepth = JSON_MAX_DEPTH,
): (request: Request, body: Buffer, done: Done) => void {
  return (request, body, done) => {
    if (exceedsJsonDepth(body, maxDepth)) {
      done(new JsonTooDeepError(maxDepth));
      return;
    }
    void fastifyJsonParser(request, body.toString('utf8'), done);
  };
}
