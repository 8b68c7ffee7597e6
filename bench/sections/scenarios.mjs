// Every ordinary scenario (the app against a bare ceiling, see ../lib/ceilings.mjs), in the order they run.
import { FLOOR_SCENARIO_ID, relativeToFloor } from '../lib/ceilings.mjs';
import { register, signIn } from '../lib/http.mjs';
import { CATALOG_SCENARIOS } from './catalog.mjs';
import { ADD_TO_CART_SCENARIO } from './commerce.mjs';

/** The account behind the authenticated scenarios, registered through the API at the start of each run. */
const BENCH_ACCOUNT = { email: 'bench-me@example.com', password: 'bench-me-password-5f2c', name: 'Bench Me' };

/**
 * What gets measured. Each entry: { id, group, name, method, path, headers?, body?, connections?, appEnv?,
 * expectedStatus?, minRatio?, relativeTo?, minRps?, maxP99Ms?, maxDatabaseCpuMs?, maxStatements?, coldCache?,
 * prepare? }.
 * - Budgets: `minRatio` (app req/s at least that fraction of the bare server's), `relativeTo: { id, minShare }`
 *   (the ratio at least minShare × scenario id's ratio in the same run; selecting the scenario runs that one too),
 *   `minRps` (app req/s, absolute), `maxP99Ms` (p99 over every measured app request of the scenario),
 *   `maxDatabaseCpuMs` (MariaDB CPU per request over the measured rounds), `maxStatements` (SQL statements per
 *   request); without any the scenario is only reported. Every scenario reports its CPU and statements per request.
 * - `connections` overrides --connections; `appEnv` runs the scenario in an app process started with these
 *   variables (one process per distinct `appEnv`, in order of first use); `expectedStatus` is the status every
 *   answer must have (default: any 2xx).
 * - `prepare(app, context)` runs just before the scenario and returns fields to add to it (e.g. headers, or the
 *   path). `context.catalog` holds facts read from the seeded catalog (see readCatalogFacts). A returned
 *   `nextPath()` makes the path vary per request (autocannon asks it for every request it sends); the bare server
 *   then answers with the median size of a sample of the app's responses.
 * - A returned `requestStream(side)` makes the whole request vary (path, headers, body): it is called once for the
 *   app ('app') and once for the bare server ('bare'), and each call returns a `next()` giving { path, headers?,
 *   body? } per request (the bare server's requests never use up what the app's need, e.g. fresh carts).
 *   `barePath` is then the bare server's route pattern (`/v1/carts/:id/items`), and its answer has the median size
 *   of a sample of the app's. A returned `describeRun()` adds facts about the run to the result (`details`).
 * - `context.settings` holds the run's settings; `context.shop` the commerce shop once set up (see setUpShop).
 * - `coldCache`: checks that every app request of the scenario wrote a new storefront cache entry (i.e. missed).
 */
export const SCENARIOS = [
  {
    id: FLOOR_SCENARIO_ID,
    group: 'core',
    name: 'GET /health/live',
    method: 'GET',
    path: '/health/live',
    minRatio: 0.7,
  },
  {
    id: 'docs',
    group: 'core',
    name: 'GET /docs-json',
    method: 'GET',
    path: '/docs-json',
    // Production serves no docs unless asked to: in an app process of its own, so the others run as deployed.
    appEnv: { DOCS_ENABLED: 'true' },
  },
  {
    id: 'me',
    group: 'auth',
    name: 'GET /v1/me (bearer)',
    method: 'GET',
    path: '/v1/me',
    relativeTo: relativeToFloor(0.8),
    // Signed in right before the scenario: the access token (15 min) outlives it by far.
    prepare: async (app) => {
      await register(app.baseUrl, BENCH_ACCOUNT);
      const { accessToken } = await signIn(app.baseUrl, BENCH_ACCOUNT);
      return { headers: { authorization: `Bearer ${accessToken}` } };
    },
  },
  ...CATALOG_SCENARIOS,
  ADD_TO_CART_SCENARIO,
];
export const SCENARIO_GROUPS = ['core', 'auth', 'catalog', 'commerce'];
