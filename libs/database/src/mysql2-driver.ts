import * as mysql2 from 'mysql2';

/** Where a pool connection keeps its one promise wrapper. */
const WRAPPER = Symbol('storekeep.promiseWrapper');
/** Marks the patched `promise()`, so a second call (tests build several data sources) changes nothing. */
const PATCHED = Symbol('storekeep.promiseMemoized');

type PromiseMethod = mysql2.PoolConnection['promise'] & { [PATCHED]?: true };
type WithWrapper = mysql2.PoolConnection & { [WRAPPER]?: ReturnType<PromiseMethod> };

/**
 * mysql2 as TypeORM should load it (the data source's `driver` option). TypeORM 1.1's
 * MysqlQueryRunner.query runs `connection.promise().query(...)` for every statement, and mysql2 3.x's
 * `PoolConnection#promise()` does a `require()` and builds a new PromisePoolConnection (an
 * EventEmitter with two listeners) each time: ~1 % of the API's CPU on the checkout path. The wrapper
 * holds nothing but the connection and the Promise class, so each pool connection now keeps its
 * first one (kept on the connection: it goes when the pool drops the connection). A call that asks
 * for another Promise class still gets a new wrapper, as before.
 *
 * The replicas' PoolCluster hands out the same PoolConnection class, and OpenTelemetry's mysql2
 * instrumentation wraps the callback `Connection#query` underneath the wrapper: both are unaffected.
 * test/integration/mysql2-driver.int-spec.ts fails if an upgrade of either library undoes this.
 */
export function mysql2ForTypeOrm(): typeof mysql2 {
  const prototype = mysql2.PoolConnection?.prototype as { promise?: PromiseMethod } | undefined;
  const original = prototype?.promise;
  // Another mysql2 shape (an upgrade): leave it as it is; the integration test says so.
  if (!prototype || typeof original !== 'function' || original[PATCHED]) return mysql2;
  const memoized: PromiseMethod = function (this: WithWrapper, promiseImpl?: PromiseConstructor) {
    if (promiseImpl !== undefined) return original.call(this, promiseImpl);
    return (this[WRAPPER] ??= original.call(this));
  };
  memoized[PATCHED] = true;
  prototype.promise = memoized;
  return mysql2;
}
