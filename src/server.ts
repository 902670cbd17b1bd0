import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppOverrides } from './app.module';
import { HttpErrorFilter } from './common/http-exception.filter';
import { rejectDeepJson } from './common/json-depth';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import { maskSecrets } from './config/database-url';
import { WriteGate } from './cutover/write-gate';
import { writeGateMiddleware } from './cutover/write-gate.middleware';
import { describeDatabase } from './database/describe-database';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';

/** Builds the HTTP application (not listening yet). Shared by main.ts and the e2e tests. */
export async function createApp(
  config: AppConfig,
  overrides: AppOverrides = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, overrides), {
    bufferLogs: true,
    bodyParser: false,
    // From the shutdown signal on, new requests get 503 + Connection: close (and readiness fails) while
    // in-flight requests and a running digest build finish.
    return503OnClosing: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  // Writes wait here while an online migration cuts the service over to PostgreSQL.
  app.use(writeGateMiddleware(app.get(WriteGate)));
  app.use(helmet());
  app.useBodyParser('json', { limit: `${config.bodyLimitKb}kb` });
  app.use(rejectDeepJson());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // Exit 0 once the shutdown hooks are done (Nest would otherwise re-raise the signal, exit code 143),
  // which also lets pino flush its transport.
  app.enableShutdownHooks([], { useProcessExit: true });
  setUpOpenApi(app);
  for (const notice of config.notices) logger.log(notice, 'Config');
  logger.log(maskSecrets(`Database: ${describeDatabase(config.database)}`), 'Database');
  return app;
}

function setUpOpenApi(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('pgmove content API')
      .setDescription(
        'Sources, entries, subscribers and the daily 08:00 digests. Instants in responses carry the ' +
          'offset of DISPLAY_TIMEZONE; inputs accept any ISO 8601 instant.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
