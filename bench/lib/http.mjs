// HTTP from the harness: single requests, the API calls every section needs, and the shoppers' own connections.
import http from 'node:http';

/** One request with node:http, which (unlike fetch) adds no accept-encoding and returns the bytes as sent. */
export function request(baseUrl, { method, path, headers = {}, body }, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export const isSuccess = (status) => status >= 200 && status < 300;

export function requestBody(scenario) {
  if (scenario.body === undefined) return { headers: scenario.headers ?? {}, body: undefined };
  if (typeof scenario.body === 'string' || Buffer.isBuffer(scenario.body)) {
    return { headers: scenario.headers ?? {}, body: scenario.body };
  }
  return {
    headers: { 'content-type': 'application/json', ...scenario.headers },
    body: JSON.stringify(scenario.body),
  };
}

/** The scenario's next request for node:http: from its request stream when it has one (see `requestStream`). */
export function streamedRequest(scenario, next) {
  const base = requestBody(scenario);
  if (!next) return { method: scenario.method, path: scenario.nextPath?.() ?? scenario.path, ...base };
  const varying = next();
  return {
    method: scenario.method,
    path: varying.path,
    headers: { ...base.headers, ...varying.headers },
    body: varying.body ?? base.body,
  };
}

async function postJson(baseUrl, path, payload, headers = {}) {
  const response = await request(
    baseUrl,
    {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
    },
    30_000,
  );
  return { status: response.status, text: response.body.toString('utf8') };
}

/** Answers 202 whether or not the address is taken, so a rerun against the same database is harmless. */
export async function register(baseUrl, account, headers = {}) {
  const { status, text } = await postJson(baseUrl, '/v1/auth/register', account, headers);
  if (status !== 202) throw new Error(`POST /v1/auth/register answered ${status}: ${text.slice(0, 500)}`);
}

export async function signIn(baseUrl, { email, password }) {
  const { status, text } = await postJson(baseUrl, '/v1/auth/login', { email, password });
  if (status !== 200) throw new Error(`POST /v1/auth/login answered ${status}: ${text.slice(0, 500)}`);
  const tokens = JSON.parse(text);
  if (typeof tokens.accessToken !== 'string') throw new Error(`POST /v1/auth/login returned no accessToken`);
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Closed-loop flows (the checkout and payment sections): virtual customers, each on a connection of its own

/** How long one request of a shopper may take. */
const SHOPPER_TIMEOUT_MS = 30_000;

/** A shopper's own keep-alive connection: one request at a time, as a browser tab would send them. */
export function shopperConnection(baseUrl) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(baseUrl);
  const send = (method, path, headers, payload) =>
    new Promise((resolve, reject) => {
      const body = payload === undefined ? undefined : JSON.stringify(payload);
      const req = http.request(
        {
          host: hostname,
          port,
          method,
          path,
          agent,
          timeout: SHOPPER_TIMEOUT_MS,
          headers: {
            ...headers,
            ...(body !== undefined && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            }),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path} timed out after ${SHOPPER_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

export class FlowStepError extends Error {
  constructor(step, status, text) {
    super(`${step} answered ${status}: ${text.slice(0, 300)}`);
    this.step = step;
    this.status = status;
  }
}

/**
 * One request of a flow, its answer counted per step in `statuses[name]` (by status, or `error`); throws
 * FlowStepError unless it answered `expected`.
 */
export async function flowStep(statuses, connection, name, method, path, headers, body, expected) {
  const counts = statuses[name];
  let response;
  try {
    response = await connection.send(method, path, headers, body);
  } catch (error) {
    counts.error = (counts.error ?? 0) + 1;
    throw new FlowStepError(name, 'error', error.message);
  }
  counts[response.status] = (counts[response.status] ?? 0) + 1;
  if (response.status !== expected) throw new FlowStepError(name, response.status, response.text);
  return response;
}

/** `count` distinct indices below `size`, at random. */
export function distinctIndices(count, size) {
  const picked = new Set();
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  return [...picked];
}

/**
 * What fails a section of closed-loop flows whatever its budget: flows that failed (`describe` tells the first;
 * at `max` the section stopped looping, `stopped` says so) and a final check that found problems (`check`, when
 * the section does not report it as a budget check of its own).
 */
export function flowFailures(failed, { max, stopped, describe }, check = undefined) {
  const failures = [];
  if (failed.length > 0) {
    failures.push(
      `${failed.length} flows failed (first: ${describe(failed[0])})` +
        (failed.length >= max ? `; ${stopped}` : ''),
    );
  }
  if (check && !check.passed) failures.push(`final check: ${check.problems.slice(0, 5).join('; ')}`);
  return failures;
}
