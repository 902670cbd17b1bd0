import { sqliteInstant } from '../../db-values';
import { Entry } from '../../entities';
import { entryPageSelect } from './entry-page-sql';
import { entryFromRow, type EntryRow } from './entry-row';
import { EntriesRepository, type EntryPageFilter, type Statement } from './entries.repository';

/** entries on SQLite: instants compare as the fixed-width UTC text they are stored as. */
export class SqliteEntriesRepository extends EntriesRepository {
  async insertOne(e: Entry): Promise<number> {
    const result = await this.db.dataSource.getRepository(Entry).insert(e);
    const id = (result.identifiers[0] as { id?: number | string } | undefined)?.id;
    if (id === undefined) throw new Error('entry insert returned no id');
    return Number(id);
  }

  async page(filter: EntryPageFilter, limit: number): Promise<Entry[]> {
    const { text, values } = this.pageStatement(filter, limit);
    const rows = await this.db.dataSource.query<EntryRow[]>(text, values);
    return rows.map(entryFromRow);
  }

  pageStatement(filter: EntryPageFilter, limit: number): Statement {
    const values: unknown[] = [];
    const { select, shape } = entryPageSelect(filter, limit, {
      param: (value) => {
        values.push(value);
        return '?';
      },
      instant: sqliteInstant,
    });
    return { name: `entries_page_${shape}`, text: select, values };
  }
}
