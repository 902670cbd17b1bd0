import type { MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/** SQLite schema migrations, in order. Same tables and keys as the PostgreSQL ones. */
export const sqliteMigrations: MigrationClass[] = [];
