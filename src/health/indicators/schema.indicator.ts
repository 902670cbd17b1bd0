import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SchemaMigrationService } from '../../database/schema-migration.service';

/** `schema`: this process has applied the schema migrations (a flag, so no timeout is needed). */
@Injectable()
export class SchemaIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly schema: SchemaMigrationService,
  ) {}

  check() {
    const check = this.indicators.check('schema');
    return this.schema.isApplied() ? check.up() : check.down({ message: 'schema migrations not applied' });
  }
}
