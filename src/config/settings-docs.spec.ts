import { getMetadataStorage } from 'class-validator';
import { checkGenerated } from '../../test/support/doc-section';
import { EnvironmentVariables, validateEnvironment } from './environment';
import { SETTINGS } from './settings';
import { envExample, settingsTable } from './settings-docs';

const UPDATE = 'run `UPDATE_DOCS=1 npm run test:unit -- settings-docs` to regenerate it';

describe('settings, described once', () => {
  it('describes every variable the environment class reads, and no other', () => {
    const validated = getMetadataStorage()
      .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
      .map((m) => m.propertyName);
    expect(SETTINGS.map((s) => s.name).sort()).toEqual([...new Set(validated)].sort());
  });

  it('states each built-in default as the environment class applies it', () => {
    const { env } = validateEnvironment({});
    for (const setting of SETTINGS) {
      const applied = (env as unknown as Record<string, string | number | boolean | undefined>)[setting.name];
      if (applied !== undefined)
        expect([setting.name, setting.default]).toEqual([setting.name, `\`${String(applied)}\``]);
    }
  });

  it('gives .env.example values the environment class accepts', () => {
    const raw = Object.fromEntries(
      SETTINGS.flatMap((s) => (s.example === undefined ? [] : [[s.name, s.example]])),
    );
    expect(validateEnvironment(raw).problems).toEqual([]);
    expect(SETTINGS.filter((s) => s.example === undefined && s.hint === undefined)).toEqual([]);
  });

  it(`matches the README's settings table (${UPDATE})`, () => {
    expect(checkGenerated('README.md', 'settings', settingsTable())).toBe(settingsTable());
  });

  it(`matches .env.example (${UPDATE})`, () => {
    expect(checkGenerated('.env.example', null, envExample())).toBe(envExample());
  });

  it('lists DB_POOL_MIN in .env.example', () => {
    expect(envExample()).toMatch(/^# DB_POOL_MIN=\d+$/m);
  });
});
