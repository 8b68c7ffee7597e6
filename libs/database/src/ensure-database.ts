import { DatabaseConfig } from '@app/config';
import { createConnection } from 'mysql2/promise';

/** Creates the configured database when it is missing (dev and test; refused in production by config). */
export async function ensureDatabase(config: DatabaseConfig): Promise<void> {
  const connection = await createConnection({
    host: config.host,
    port: config.port,
    ...(config.socketPath ? { socketPath: config.socketPath } : {}),
    user: config.user,
    password: config.password,
    connectTimeout: 5_000,
  });
  try {
    // DB_NAME is validated to [A-Za-z0-9_] by the config, so quoting it with backticks is safe.
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${config.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

/** Drops a database (test harness clean-up). */
export async function dropDatabase(config: DatabaseConfig): Promise<void> {
  const connection = await createConnection({
    host: config.host,
    port: config.port,
    ...(config.socketPath ? { socketPath: config.socketPath } : {}),
    user: config.user,
    password: config.password,
  });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${config.name}\``);
  } finally {
    await connection.end();
  }
}
