// Runs before every test file (Jest setupFiles): tests are quiet unless asked, and never production.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
