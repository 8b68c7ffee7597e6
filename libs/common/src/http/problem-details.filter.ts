import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { exceptionToProblem, MappedProblem } from './exception-to-problem';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';

/** The Content-Type of every problem response. */
export const PROBLEM_RESPONSE_CONTENT_TYPE = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

/**
 * The exact problem+json text sent for a problem on a request. One function, so that a stored
 * response (an idempotent replay) is byte-for-byte what the filter sent the first time.
 */
export function renderProblemBody(
  problem: MappedProblem,
  request: Pick<FastifyRequest, 'url' | 'id'>,
): string {
  const body: ProblemDetails = {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...problem.extensions,
  };
  return JSON.stringify(body);
}

/** The one place where anything thrown during a request becomes an RFC 9457 problem+json response. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = exceptionToProblem(exception);

    if (problem.unexpected) {
      this.logger.error({ err: exception, requestId: request.id }, 'Unhandled error while serving a request');
    }
    if (reply.sent) return;
    if (problem.headers) void reply.headers(problem.headers);
    void reply
      .status(problem.status)
      .header('content-type', PROBLEM_RESPONSE_CONTENT_TYPE)
      .send(renderProblemBody(problem, request));
  }
}
