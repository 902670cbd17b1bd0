import type { MigrationInterface } from 'typeorm';
import { ContentSchema1764000000000 } from './1764000000000-content-schema';
import { IntegrityRuns1764100000000 } from './1764100000000-integrity-runs';

type MigrationClass = new () => MigrationInterface;

/** SQLite schema migrations, in order. Same tables and keys as the PostgreSQL ones. */
export const sqliteMigrations: MigrationClass[] = [ContentSchema1764000000000, IntegrityRuns1764100000000];
