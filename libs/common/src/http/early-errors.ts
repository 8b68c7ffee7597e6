import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { exceptionToProblem } from './exception-to-problem';
import { PROBLEM_RESPONSE_CONTENT_TYPE, renderProblemBody } from './problem-details.filter';
import { problemType } from './problem-details';

type Headers = Readonly<Record<string, string>>;

/**
 * Fastify's `frameworkErrors`: the router answers a malformed URL (400) or a path segment over
 * `maxParamLength` (414) before any hook runs, so neither the request id nor the security headers
 * are on the reply yet. `headersFor` gives them (the same as the request hook sets), and the
 * problem is rendered here, as the exception filter would.
 */
export function answerFrameworkError(
  headersFor: (request: FastifyRequest) => Headers,
): (error: Error, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    const problem = exceptionToProblem(error);
    void reply
      .headers(headersFor(request))
      .status(problem.status)
      .header('content-type', PROBLEM_RESPONSE_CONTENT_TYPE)
      .send(renderProblemBody(problem, request));
  };
}

interface ClientErrorKind {
  status: number;
  slug: string;
  detail: string;
}

/** Errors of Node's HTTP parser (before Fastify sees a request), by code. */
const CLIENT_ERRORS: Record<string, ClientErrorKind> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    slug: 'request-header-fields-too-large',
    detail:
      'The request line and headers together are larger than this server accepts (16 KB by default): send shorter query strings or headers.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    slug: 'request-timeout',
    detail: 'The request did not arrive in time.',
  },
};
const MALFORMED: ClientErrorKind = {
  status: 400,
  slug: 'malformed-request',
  detail: 'The request is not valid HTTP/1.1.',
};

/** The path of the request line in the bytes the parser choked on, when there is a sane one. */
function pathOf(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '/';
  const start = rawPacket.subarray(0, 1100).toString('latin1');
  const match = /^[A-Z]{3,10} (\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/]{0,1024})(?=[ ?#])/.exec(start);
  return match ? match[1] : '/';
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refuses a request line or headers over
 * `maxHeaderSize` (431), a malformed request (400) or a slow one (408) before any request exists.
 * Fastify's default writes its own JSON; this writes problem+json with a fresh request id (the
 * caller's X-Request-Id, if any, is among the headers that could not be read) and `headers`
 * (the API's security headers), then drops the connection as Node and Fastify do.
 */
export function answerClientError(
  headers: Headers,
): (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket) => void {
  return (error, socket) => {
    // A reset or closed connection has no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const kind = (error.code && CLIENT_ERRORS[error.code]) || MALFORMED;
      const requestId = randomUUID();
      const title = STATUS_CODES[kind.status] ?? 'Error';
      const body = JSON.stringify({
        type: problemType(kind.slug),
        title,
        status: kind.status,
        detail: kind.detail,
        instance: pathOf(error.rawPacket),
        requestId,
      });
      const lines = [
        `HTTP/1.1 ${kind.status} ${title}`,
        `content-type: ${PROBLEM_RESPONSE_CONTENT_TYPE}`,
        `content-length: ${Buffer.byteLength(body)}`,
        `x-request-id: ${requestId}`,
        'connection: close',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    }
    socket.destroy(error);
  };
}
