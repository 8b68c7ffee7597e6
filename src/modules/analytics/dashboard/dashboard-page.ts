import { PROBLEM_CONTENT_TYPE, problemType } from '@app/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

export const DASHBOARD_PATH = '/admin/dashboard';
const ASSETS_PATH = `${DASHBOARD_PATH}/assets`;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
// The page is checked on every load (so a deploy is seen at once); its assets are named by their
// hash (scripts/dashboard/build-dashboard.ts), so a name never changes content and may be kept a year.
const PAGE_CACHE = 'no-cache';
const ASSET_CACHE = 'public, max-age=31536000, immutable';

interface ServedFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** The built page and its assets, read once: a few hundred KB, served from memory. */
function readBuild(dir: string): Map<string, ServedFile> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, ServedFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    files.set(name, { body, type, etag });
  }
  return files;
}

function problem(reply: FastifyReply, request: FastifyRequest, status: 404 | 503, detail: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .send({
      type: problemType(status === 404 ? 'not-found' : 'unavailable'),
      title: status === 404 ? 'Not found' : 'Not available',
      status,
      detail,
      instance: request.url.split('?')[0],
      requestId: String(request.id),
    });
}

function send(request: FastifyRequest, reply: FastifyReply, file: ServedFile, cacheControl: string) {
  void reply.header('cache-control', cacheControl).header('etag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/**
 * The staff dashboard: a static page at /admin/dashboard and its hashed assets, built by `npm run
 * build` into `dir` (config `http.dashboardDir`). It needs no sign-in to load: the page signs in
 * against the API and reads everything through it (the reports, the staff event feed), so the
 * API's own guards decide what a user sees. Its CSP is in src/bootstrap/security-headers.ts.
 * Without a build the page answers 503 saying how to build it.
 */
export function mountDashboard(fastify: FastifyInstance, dir: string): void {
  const files = readBuild(dir);
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    const index = files?.get('index.html');
    if (!index)
      return problem(
        reply,
        request,
        503,
        `The dashboard is not built: run \`npm run build\` (looked in ${dir}).`,
      );
    return send(request, reply, index, PAGE_CACHE);
  };
  fastify.get(DASHBOARD_PATH, page);
  fastify.get(`${DASHBOARD_PATH}/`, page);
  fastify.get<{ Params: { name: string } }>(`${ASSETS_PATH}/:name`, (request, reply) => {
    const file = request.params.name === 'index.html' ? undefined : files?.get(request.params.name);
    if (!file) return problem(reply, request, 404, 'No such dashboard asset.');
    return send(request, reply, file, ASSET_CACHE);
  });
}
