import type { DataSource } from 'typeorm';
import { DatabaseConnection } from './database-connection';

abstract class Greeter {
  abstract greet(): string;
  protected readonly calls: string[] = [];
  history(): string[] {
    return this.calls;
  }
}
class PostgresGreeter extends Greeter {
  greet(): string {
    this.calls.push('pg');
    return 'hello from postgres';
  }
}
class SqliteGreeter extends Greeter {
  greet(): string {
    this.calls.push('sqlite');
    return 'hello from sqlite';
  }
}

/** A stand-in DataSource: only its options are read to tell the dialect. */
function fakeDataSource(type: string): { options: { type: string } } {
  return { options: { type } };
}

describe('DatabaseConnection.byDialect', () => {
  it('answers as the variant of the current dialect, at each call', () => {
    const ds = fakeDataSource('better-sqlite3');
    const db = new DatabaseConnection(ds as unknown as DataSource);
    const greeter = db.byDialect<Greeter>({ postgres: new PostgresGreeter(), sqlite: new SqliteGreeter() });
    expect(db.dialect).toBe('sqlite');
    expect(greeter.greet()).toBe('hello from sqlite');
    // The seam a cut-over uses: the database behind the connection changes, callers keep their object.
    ds.options.type = 'postgres';
    expect(db.dialect).toBe('postgres');
    expect(greeter.greet()).toBe('hello from postgres');
    expect(greeter).toBeInstanceOf(PostgresGreeter);
    expect(greeter).toBeInstanceOf(Greeter);
  });

  it('binds methods to their variant, so they can be passed around', () => {
    const db = new DatabaseConnection(fakeDataSource('postgres') as unknown as DataSource);
    const greeter = db.byDialect<Greeter>({ postgres: new PostgresGreeter(), sqlite: new SqliteGreeter() });
    const { greet, history } = greeter;
    greet();
    expect(history()).toEqual(['pg']);
  });

  it('has no pool figures on SQLite', () => {
    const db = new DatabaseConnection(fakeDataSource('better-sqlite3') as unknown as DataSource);
    expect(db.pool()).toBeNull();
    expect(db.poolStats()).toBeNull();
  });
});
