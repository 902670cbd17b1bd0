import type { MigrationInterface } from 'typeorm';
import { ContentSchema1764000000000 } from './1764000000000-content-schema';

type MigrationClass = new () => MigrationInterface;

/** PostgreSQL schema migrations, in order. */
export const postgresMigrations: MigrationClass[] = [ContentSchema1764000000000];
