import type { MigrationInterface } from 'typeorm';
import { ContentSchema1764000000000 } from './1764000000000-content-schema';

type MigrationClass = new () => MigrationInterface;

/** SQLite schema migrations, in order. Same tables and keys as the PostgreSQL ones. */
export const sqliteMigrations: MigrationClass[] = [ContentSchema1764000000000];
