import { AppConfig } from '@app/config';
import {
  buildDataSourceOptions,
  ensureDatabase,
  ReplicaReads,
  runMigrationsLocked,
  TransactionRunner,
} from '@app/database';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        if (config.database.createIfMissing) await ensureDatabase(config.database);
        return {
          ...buildDataSourceOptions(config.database, { migrations: MIGRATIONS }),
          autoLoadEntities: true,
          // A process that cannot reach MySQL at start fails fast instead of hanging in retries.
          retryAttempts: 3,
          retryDelay: 1_000,
          migrationsRun: config.database.migrationsRun,
        };
      },
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('TypeORM options are missing');
        // TypeORM's own migrationsRun takes no lock; run them ourselves under one.
        const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
        if (options.migrationsRun) await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [TransactionRunner, ReplicaReads],
  exports: [TransactionRunner, ReplicaReads],
})
export class DatabaseModule {}
