// Jest 30 on Node 20 cannot load NestJS 12's ESM packages by itself: @swc/jest transforms our
// TypeScript and, for the ESM-only packages listed below, their JavaScript to CommonJS.
const esmPackages = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  '@borewit',
  'uint8array-extras',
  'content-disposition',
  'cookie',
  'toad-cache',
  'set-cookie-parser',
  'formidable',
  'otplib',
  '@otplib',
  '@noble',
  '@scure',
  'nodemailer',
  'valibot',
  '@standard-schema',
  'load-esm',
  '@apidevtools',
  'uuid',
  // eventsource (the SSE client of the real-time tests) is ESM-only, like its parser
  'eventsource',
  'eventsource-parser',
  // p-limit 4+ is ESM-only (the password hasher's concurrency limit), like its yocto-queue
  'p-limit',
  'yocto-queue',
  // sanitize-html (CommonJS) requires htmlparser2 12, ESM-only like its dom* and entities packages
  'sanitize-html',
  'htmlparser2',
  'domhandler',
  'domutils',
  'dom-serializer',
  'domelementtype',
  'entities',
];

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { swcrc: true }],
    '^.+\\.m?js$': [
      '@swc/jest',
      {
        swcrc: false,
        jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '^@app/(common|config|database|testing)$': '<rootDir>/libs/$1/src',
    '^@app/(common|config|database|testing)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
