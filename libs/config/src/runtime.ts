import { availableParallelism } from 'node:os';

/**
 * Sizes libuv's thread pool to the machine unless the operator set UV_THREADPOOL_SIZE: argon2 runs
 * there, and libuv's default of 4 threads on 2 cores kept up to four 19 MiB argon2 arenas alive
 * (measured: 285 MB peak RSS under 200 concurrent logins, 244 MB with 2 threads). Must run before
 * anything uses the pool, i.e. first thing in an entry point.
 */
export function sizeThreadPool(environment: NodeJS.ProcessEnv = process.env): void {
  environment.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
}

// Entry points import this module first of all (`import '@app/config/runtime'`): by the time their
// other imports have run, something may already have started the pool with its default size.
sizeThreadPool();
