// Imported by src/main.ts before any other application module: the instrumentations must patch http,
// fastify, mysql2 and ioredis before those are first required.
import { traceIfConfigured } from './trace-if-configured';

traceIfConfigured('storekeep-api');
