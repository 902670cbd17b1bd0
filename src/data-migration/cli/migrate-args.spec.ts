import { parseMigrateArgs, UsageError } from './migrate-args';

describe('parseMigrateArgs', () => {
  it('reads every flag', () => {
    expect(
      parseMigrateArgs([
        '--source',
        'a.sqlite',
        '--target',
        'postgres://u@h/d',
        '--on-error',
        'reject',
        '--report',
        'r.json',
        '--resume',
        '--jobs',
        '4',
        '--source-timezone',
        'Europe/Berlin',
        '--skip-table',
        'x',
        '--skip-table=y',
        '--no-verify',
      ]),
    ).toMatchObject({
      command: 'migrate',
      source: 'a.sqlite',
      target: 'postgres://u@h/d',
      onError: 'reject',
      report: 'r.json',
      resume: true,
      jobs: 4,
      sourceZone: 'Europe/Berlin',
      skipTables: ['x', 'y'],
      verify: false,
    });
  });

  it('has safe defaults and a verify subcommand', () => {
    expect(parseMigrateArgs(['--source', 'a'])).toMatchObject({
      onError: 'stop',
      jobs: 2,
      resume: false,
      verify: true,
    });
    expect(parseMigrateArgs(['verify', '--source', 'a']).command).toBe('verify');
  });

  it('has an export subcommand writing a script, with --on-error as migrate', () => {
    expect(
      parseMigrateArgs(['export', '--source', 'a', '--to-sql', 'a.sql.gz', '--on-error', 'reject']),
    ).toMatchObject({ command: 'export', toSql: 'a.sql.gz', onError: 'reject' });
  });

  it.each([
    [[]],
    [['--source']],
    [['--source', 'a', '--on-error', 'skip']],
    [['--source', 'a', '--jobs', '0']],
    [['--source', 'a', '--source-timezone', 'Mars/Base']],
    [['--source', 'a', '--resume', '--reset-target']],
    [['--source', 'a', '--bogus']],
    [['verify', '--source', 'a', '--resume']],
    [['export', '--source', 'a']],
    [['export', '--source', 'a', '--to-sql', 'a.sql', '--target', 'postgres://h/d']],
    [['export', '--source', 'a', '--to-sql', 'a.sql', '--jobs', '2']],
    [['--source', 'a', '--to-sql', 'a.sql']],
  ])('usage error for %p', (args) => {
    expect(() => parseMigrateArgs(args)).toThrow(UsageError);
  });
});
