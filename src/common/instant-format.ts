import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { formatInstant } from './zoned-time';

/** Formats instants for responses in DISPLAY_TIMEZONE (ISO 8601 with that zone's offset). */
@Injectable()
export class InstantFormat {
  constructor(private readonly config: AppConfig) {}

  format(instant: Date): string;
  format(instant: Date | null): string | null;
  format(instant: Date | null): string | null {
    return instant === null ? null : formatInstant(instant, this.config.displayTimeZone);
  }
}
