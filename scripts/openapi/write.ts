// Writes the OpenAPI document the API serves at /docs-json to a file (default reports/openapi.json),
// for `npm run openapi:lint` and other tools that want the document without a running server. Boots
// the real app against a scratch database and Redis prefix (as the e2e tests do) and cleans up.
import { TestEnvironment } from '../../test/support/test-environment';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const target = process.argv[2] ?? 'reports/openapi.json';
  const env = await TestEnvironment.create({ http: { docsEnabled: true } });
  try {
    const api = await env.startApi();
    const response = await fetch(`${api.baseUrl}/docs-json`);
    if (response.status !== 200) throw new Error(`GET /docs-json answered ${response.status}`);
    const document: unknown = await response.json();
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
    process.stdout.write(`openapi:write: ${target}\n`);
  } finally {
    await env.cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `openapi:write: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
