import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** `process`: liveness, with no dependency at all: up while the process runs. */
@Injectable()
export class ProcessIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  check() {
    return this.indicators.check('process').up({ pid: process.pid });
  }
}
