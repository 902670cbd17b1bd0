import type { MigrationInterface } from 'typeorm';
import { ContentSchema1764000000000 } from './1764000000000-content-schema';
import { IntegrityRuns1764100000000 } from './1764100000000-integrity-runs';

type MigrationClass = new () => MigrationInterface;

/** PostgreSQL schema migrations, in order. */
export const postgresMigrations: MigrationClass[] = [ContentSchema1764000000000, IntegrityRuns1764100000000];
