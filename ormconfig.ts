// DataSource for the TypeORM CLI (e.g. `npx typeorm migration:show -d dist/ormconfig.js`).
// Built by the same factory the app uses, so the CLI and the service never disagree on settings.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';

// The CLI runs migrations: no request timeouts (a migration may take longer than any request).
export default new DataSource(buildDataSourceOptions(loadConfig().database, 'admin'));
