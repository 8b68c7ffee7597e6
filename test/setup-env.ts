// Runs before every test file (Jest setupFiles): tests are quiet unless asked, and never production.
import { Logger } from '@nestjs/common';

process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';

// Classes tested outside an app log through Nest's default console logger, which LOG_LEVEL does not
// reach (apps log through pino at LOG_LEVEL): silence it too, so a passing run prints only what a test
// asks for. LOG_LEVEL=debug npm test brings both back.
if (process.env.LOG_LEVEL === 'silent') Logger.overrideLogger(false);
