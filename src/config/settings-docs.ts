import { SETTINGS, type Setting } from './settings';

/** The README's settings table, made from SETTINGS. */
export function settingsTable(settings: Setting[] = SETTINGS): string {
  const rows = settings.map((s) => `| \`${s.name}\` | ${s.type} | ${s.default} | ${s.meaning} |`);
  return ['| variable | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** Markdown to plain text for a shell comment: no backticks, no table escapes. */
const plain = (markdown: string): string => markdown.replaceAll('`', '').replaceAll('\\|', '|');

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** .env.example, made from SETTINGS. */
export function envExample(settings: Setting[] = SETTINGS): string {
  const blocks = settings.map((s) => {
    const about = `${plain(s.meaning)} (${plain(s.type)}; default: ${plain(s.default)})`;
    const comment = wrap(about, 100 - 2).map((l) => `# ${l}`);
    const line = s.example !== undefined ? `${s.name}=${s.example}` : `# ${s.name}=${s.hint ?? ''}`;
    return [...comment, line].join('\n');
  });
  return (
    [
      '# Every setting the service reads, as environment variables; each is validated at start-up and a bad',
      '# value stops the process. Export them in your shell or orchestrator (the app reads no .env file).',
      '# Made from src/config/settings.ts: edit that, then `UPDATE_DOCS=1 npm run test:unit -- settings-docs`.',
      ...blocks.map((b) => `\n${b}`),
    ].join('\n') + '\n'
  );
}
