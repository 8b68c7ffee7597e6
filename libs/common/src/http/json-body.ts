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

export class LoneSurrogateError extends DomainError {
  readonly kind = 'malformed';
  readonly type = 'malformed-json';
  readonly title = 'The JSON body is not valid Unicode';
  constructor() {
    super('A string in the request body holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF).');
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const LETTER_U = 0x75;

/** The code unit of the `\uXXXX` escape whose `u` is at `at`, or -1 when there is none. */
function escapedUnit(body: Uint8Array, at: number): number {
  if (body[at] !== LETTER_U || at + 4 >= body.length) return -1;
  const hex = String.fromCharCode(body[at + 1], body[at + 2], body[at + 3], body[at + 4]);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * What makes a JSON text unacceptable before it is parsed: objects/arrays nested deeper than
 * `maxDepth`, or a `\u` escape of an unpaired surrogate (valid JSON, but not Unicode: validator.js
 * throws on such strings, and no field of this API wants one). One pass over the bytes, counting
 * brackets outside strings and stopping at the first problem; so a hostile body costs a linear scan,
 * never a deep recursion later (class-transformer recurses without limit: 3,000 levels overflowed
 * its stack). UTF-8 continuation bytes are all ≥ 0x80, so scanning bytes is exact (raw UTF-8 cannot
 * carry a surrogate: Node decodes one as U+FFFD). Anything else invalid is left to the parser.
 */
export function scanJsonText(body: Uint8Array, maxDepth: number): 'too-deep' | 'lone-surrogate' | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) {
        i++;
        const unit = escapedUnit(body, i);
        if (unit < 0) continue;
        if (isLowSurrogate(unit)) return 'lone-surrogate';
        if (isHighSurrogate(unit)) {
          if (body[i + 5] !== BACKSLASH || !isLowSurrogate(escapedUnit(body, i + 6))) return 'lone-surrogate';
          i += 10;
        }
      } else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return 'too-deep';
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return null;
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * A content-type parser for application/json that refuses bodies nested deeper than `maxDepth`
 * (400 `json-too-deep`) or holding a lone surrogate (400 `malformed-json`) and hands the rest to Fastify's own parser (secure-json-parse, with its
 * prototype-poisoning checks).
 */
export function depthLimitedJsonParser<Request>(
  // Fastify types its parsers as maybe async; its default JSON parser answers through `done`.
  fastifyJsonParser: (request: Request, body: string, done: Done) => void | Promise<unknown>,
  maxDepth = JSON_MAX_DEPTH,
): (request: Request, body: Buffer, done: Done) => void {
  return (request, body, done) => {
    const problem = scanJsonText(body, maxDepth);
    if (problem) {
      done(problem === 'too-deep' ? new JsonTooDeepError(maxDepth) : new LoneSurrogateError());
      return;
    }
    void fastifyJsonParser(request, body.toString('utf8'), done);
  };
}
