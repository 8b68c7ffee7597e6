// Imported by src/worker.ts before any other application module: the instrumentations must patch
// mysql2, ioredis and Bull before those are first required.
import { traceIfConfigured } from './trace-if-configured';

traceIfConfigured('storekeep-worker');
