import { PROBLEM_CONTENT_TYPE, problemType } from '@app/common';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bull';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bull';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeysService } from '../modules/auth';
import { QUEUE_NAMES } from './queue-names';

export const QUEUE_BOARD_PATH = '/admin/queues';
const PERMISSION = 'queues:manage';

/** The key from `Authorization: Basic <any>:<sk_…>` (the browser's own prompt), `Bearer sk_…` or `X-Api-Key`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const authorization = request.headers.authorization ?? '';
  if (authorization.startsWith('Bearer ')) return authorization.slice(7).trim();
  if (authorization.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

function refuse(
  reply: FastifyReply,
  request: FastifyRequest,
  status: 401 | 403,
  detail: string,
): FastifyReply {
  if (status === 401)
    void reply.header('www-authenticate', 'Basic realm="Storekeep queues", charset="UTF-8"');
  return reply
    .code(status)
    .type(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .send({
      type: problemType(status === 401 ? 'unauthenticated' : 'forbidden'),
      title: status === 401 ? 'Authentication required' : 'Not allowed',
      status,
      detail,
      instance: request.url.split('?')[0],
      requestId: String(request.id),
    });
}

/**
 * Bull Board (queue UI: jobs, failures, retries) at /admin/queues, for staff. It is a Fastify
 * plugin outside Nest's guards, so it has its own gate: an API key with the `queues:manage` scope,
 * which a browser sends through its Basic-auth prompt (any user name, the key as the password).
 * Keys are personal, revocable, and stop when their creator is disabled or demoted.
 */
export async function mountQueueBoard(app: NestFastifyApplication): Promise<void> {
  const board = new BullBoardFastifyAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullAdapter(app.get<Queue>(getQueueToken(name)))),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Storekeep queues' } },
  });
  const apiKeys = app.get(ApiKeysService);
  await app
    .getHttpAdapter()
    .getInstance()
    .register(
      async (scope) => {
        scope.addHook('onRequest', async (request, reply) => {
          const key = presentedKey(request);
          if (!key)
            return refuse(reply, request, 401, 'Sign in with an API key that has the queues:manage scope.');
          const principal = await apiKeys.authenticate(key);
          if (!principal) return refuse(reply, request, 401, 'The API key is unknown, revoked or expired.');
          if (!principal.permissions.has(PERMISSION)) {
            return refuse(reply, request, 403, 'This API key lacks the queues:manage scope.');
          }
        });
        await scope.register(board.registerPlugin());
      },
      { prefix: QUEUE_BOARD_PATH },
    );
}
