import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings, PostgresSettings } from '../config/app-config';
import { postgresMigrations } from './migrations/postgres';
import { sqliteMigrations } from './migrations/sqlite';
import { QueryTimeoutClient } from './query-timeout-client';

export const APPLICATION_NAME = 'pgmove';
export const CONNECT_TIMEOUT_MS = 5000;

/** pg/TLS connection settings shared by TypeORM's pool and by the plain pg clients of this app. */
export function pgConnectionConfig(db: PostgresSettings, applicationName = APPLICATION_NAME) {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    ssl: sslOptions(db),
    application_name: applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Every session works in UTC and UTF-8 whatever the server's defaults are.
    options: '-c TimeZone=UTC -c client_encoding=UTF8',
  };
}

function sslOptions(db: PostgresSettings): false | { rejectUnauthorized: boolean; ca?: string } {
  switch (db.ssl) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ca: db.sslCa };
  }
}

/**
 * `request`: the service's pool, with DB_STATEMENT_TIMEOUT_MS and DB_QUERY_TIMEOUT_MS, so every
 * request answers within a bound. `admin`: schema migrations and the TypeORM CLI, without them (a
 * migration, or a replica waiting for another's, may rightly take longer than any request).
 */
export type SessionKind = 'request' | 'admin';

/** The one place DataSource options are built: used by Nest (DatabaseModule) and by ormconfig.ts. */
export function buildDataSourceOptions(
  db: DatabaseSettings,
  kind: SessionKind = 'request',
): DataSourceOptions {
  if (db.kind === 'sqlite') {
    return {
      type: 'better-sqlite3',
      database: db.path,
      enableWAL: db.path !== ':memory:',
      // Every commit synced, as on PostgreSQL: better-sqlite3's build makes a connection that opens a
      // file already in WAL mode default to synchronous=NORMAL (a commit acknowledged with 201 could be
      // lost on power failure), while a fresh file got FULL — durability depended on restarts.
      prepareDatabase: (connection: { pragma(source: string): unknown }) => {
        connection.pragma('synchronous = FULL');
      },
      timeout: 5000,
      synchronize: false,
      migrations: sqliteMigrations,
      migrationsTableName: 'schema_migrations',
    };
  }
  const pg = pgConnectionConfig(db);
  return {
    type: 'postgres',
    host: pg.host,
    port: pg.port,
    username: pg.user,
    password: pg.password,
    database: pg.database,
    ssl: pg.ssl,
    applicationName: pg.application_name,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    poolSize: db.poolMax,
    synchronize: false,
    migrations: postgresMigrations,
    migrationsTableName: 'schema_migrations',
    // `extra` is applied last by TypeORM: it sets the session parameters and pins the pool bounds
    // (idle connections beyond `min` close after idleTimeoutMillis).
    extra: {
      max: db.poolMax,
      min: db.poolMin,
      options: pg.options,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30000,
      ...(kind === 'request' && {
        // Sent as a start-up parameter: the server cancels a statement that runs or waits longer.
        statement_timeout: db.statementTimeoutMs,
        // The client's own bound, for a server that stops answering at all (frozen, partitioned).
        query_timeout: db.queryTimeoutMs,
        Client: QueryTimeoutClient,
      }),
    },
  };
}
