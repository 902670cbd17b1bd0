import type { MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/** PostgreSQL schema migrations, in order. */
export const postgresMigrations: MigrationClass[] = [];
