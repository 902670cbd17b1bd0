import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { maskSecrets } from './config/database-url';
import { describeDatabase } from './database/describe-database';

/** Builds the HTTP application (not listening yet). Shared by main.ts and the e2e tests. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.use(helmet());
  app.useBodyParser('json', { limit: `${config.bodyLimitKb}kb` });
  app.enableShutdownHooks();
  for (const notice of config.notices) logger.log(notice, 'Config');
  logger.log(maskSecrets(`Database: ${describeDatabase(config.database)}`), 'Database');
  return app;
}
