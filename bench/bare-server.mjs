// The ceiling for one benchmark scenario: a bare Fastify server answering the same method and path with a body
// of the same size and content type, built once and served from memory. Nothing else runs per request (no
// logging, no hooks, no headers of its own), so the gap between the app and this server is what the app's stack
// costs. It runs in its own process, like the app, so neither shares an event loop with the load generator.
//
// Started by bench/run.mjs with fork(), configured by env (BARE_METHOD, BARE_PATH, BARE_BODY_BYTES,
// BARE_CONTENT_TYPE, BARE_STATUS); it reports the port it listens on through the IPC channel. It routes on the path
// alone, so a scenario whose query string varies per request reaches the same route.
import Fastify from 'fastify';

const method = process.env.BARE_METHOD ?? 'GET';
const path = process.env.BARE_PATH ?? '/';
const bodyBytes = Number(process.env.BARE_BODY_BYTES ?? 0);
// Empty when the app's answer had no content type: then neither has this one.
const contentType = process.env.BARE_CONTENT_TYPE ?? '';
const status = Number(process.env.BARE_STATUS ?? 200);

// The bytes themselves do not matter, only how many go over the wire.
const body = Buffer.alloc(bodyBytes, 'x');

const app = Fastify({ logger: false });

// Read request bodies as raw bytes whatever their type, so a scenario with a body pays for receiving it but not
// for parsing it: the ceiling stays the cheapest possible server.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, payload, done) => done(null, payload));

app.route({
  method,
  url: path,
  handler: contentType
    ? (request, reply) => reply.code(status).type(contentType).send(body)
    : (request, reply) => reply.code(status).send(bodyBytes > 0 ? body : undefined),
});

// The harness may die without cleaning up (SIGKILL): the IPC channel closing is the one signal that always comes.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.send({ port: app.server.address().port, address });
