import type { DataSource } from 'typeorm';

/** The two databases the service can run on. Only the database layer asks which one it is. */
export type Dialect = 'postgres' | 'sqlite';

export function dialectOf(dataSource: DataSource): Dialect {
  return dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
}
