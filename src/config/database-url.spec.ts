import { DatabaseUrlError, describePostgresTarget, maskSecrets, parseDatabaseUrl } from './database-url';

describe('parseDatabaseUrl', () => {
  it.each(['postgres', 'postgresql', 'POSTGRES'])('reads the %s:// scheme', (scheme) => {
    const url = parseDatabaseUrl(`${scheme}://app:s3cret@db.example.com:6543/content?sslmode=require`);
    expect(url).toMatchObject({
      kind: 'postgres',
      host: 'db.example.com',
      port: 6543,
      database: 'content',
      user: 'app',
      password: 's3cret',
      sslmode: 'require',
    });
    expect(url.kind === 'postgres' && url.notice).toBeUndefined();
  });

  it('normalises postgresql+psycopg2:// with a notice', () => {
    const url = parseDatabaseUrl('postgresql+psycopg2://app:pw@localhost/content');
    expect(url.kind).toBe('postgres');
    if (url.kind !== 'postgres') return;
    expect(url.url.startsWith('postgres://')).toBe(true);
    expect(url.port).toBe(5432);
    expect(url.notice).toContain('normalised');
    expect(url.notice).not.toContain('pw');
  });

  it('decodes percent-encoded user, password and database', () => {
    const url = parseDatabaseUrl('postgres://us%40er:p%40ss%2Fw@h:1/my%20db');
    expect(url).toMatchObject({ user: 'us@er', password: 'p@ss/w', database: 'my db' });
  });

  it('reads absolute and relative sqlite paths', () => {
    expect(parseDatabaseUrl('sqlite:////var/lib/app.sqlite')).toEqual({
      kind: 'sqlite',
      path: '//var/lib/app.sqlite',
    });
    expect(parseDatabaseUrl('sqlite:///var/lib/app.sqlite')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/app.sqlite',
    });
    expect(parseDatabaseUrl('sqlite://data/app.sqlite')).toEqual({ kind: 'sqlite', path: 'data/app.sqlite' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it.each([
    ['', /empty/],
    ['localhost:5432/db', /must look like/],
    ['mysql://u:p@h/db', /unsupported scheme/],
    ['postgres://u:p@h:99999/db', /invalid port|not a valid URL/],
    ['postgres://u:p@h:5432', /must name a database/],
    ['postgres://h:5432/db', /no user name/],
    ['sqlite:', /sqlite:\/\/\//],
  ])('refuses %j naming DATABASE_URL', (raw, reason) => {
    expect(() => parseDatabaseUrl(raw)).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl(raw)).toThrow(/DATABASE_URL/);
    expect(() => parseDatabaseUrl(raw)).toThrow(reason);
  });

  it('never echoes a password in its errors', () => {
    for (const raw of ['mysql://u:topsecret@h/db', 'postgres://u:topsecret@h:0x/db', 'u:topsecret@h/db']) {
      let message: string | undefined;
      try {
        parseDatabaseUrl(raw);
      } catch (error) {
        message = (error as Error).message;
      }
      // Each of these must fail, and its message must not carry the password.
      expect(message).toBeDefined();
      expect(message).not.toContain('topsecret');
    }
  });
});

describe('maskSecrets', () => {
  it('masks the password of every URL in a text', () => {
    expect(maskSecrets('a postgres://u:pw@h/db and postgresql+psycopg2://x:y@z/w')).toBe(
      'a postgres://u:***@h/db and postgresql+psycopg2://x:***@z/w',
    );
  });
  it('leaves URLs without a password alone', () => {
    expect(maskSecrets('postgres://u@h/db sqlite:///a.db')).toBe('postgres://u@h/db sqlite:///a.db');
  });
});

describe('describePostgresTarget', () => {
  it('names host:port/database and brackets IPv6 hosts', () => {
    expect(describePostgresTarget({ host: '127.0.0.1', port: 5433, database: 'app' })).toBe(
      '127.0.0.1:5433/app',
    );
    expect(describePostgresTarget({ host: '::1', port: 5433, database: 'app' })).toBe('[::1]:5433/app');
  });
});
