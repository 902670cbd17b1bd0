import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateIf,
} from 'class-validator';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;

/** Every setting the process reads, as environment variables. Validated once at start-up. */
export class EnvironmentVariables {
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  // class-validator checks the lowest decorator first; with stopAtFirstError that one's message shows.
  @Transform(toInt)
  @Max(65535)
  @Min(0)
  @IsInt()
  PORT = 3000;

  @Transform(toInt)
  @Max(1000)
  @Min(1)
  @IsInt()
  DB_POOL_MAX = 20;

  @IsOptional()
  @Transform(toInt)
  @Max(1000)
  @Min(0)
  @IsInt()
  DB_POOL_MIN?: number;

  @Transform(toInt)
  @Max(3_600_000)
  @Min(100)
  @IsInt()
  DB_STATEMENT_TIMEOUT_MS = 15000;

  @Transform(toInt)
  @Max(3_600_000)
  @Min(100)
  @IsInt()
  DB_QUERY_TIMEOUT_MS = 20000;

  @IsOptional()
  @IsIn(SSL_MODES)
  DB_SSL?: (typeof SSL_MODES)[number];

  @IsOptional()
  @IsString()
  DB_SSL_CA?: string;

  @IsOptional()
  @IsString()
  CUTOVER_DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  INTEGRITY_SOURCE_PATH?: string;

  @IsString()
  DISPLAY_TIMEZONE = 'America/Chicago';

  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.ADMIN_TOKEN !== undefined)
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  @IsString({ message: 'ADMIN_TOKEN is required in production' })
  ADMIN_TOKEN?: string;

  @Transform(toBoolean)
  @IsBoolean()
  SCHEDULER_ENABLED = true;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(toInt)
  @Max(600000)
  @Min(100)
  @IsInt()
  HTTP_BODY_LIMIT_KB = 1024;
}

export interface EnvironmentProblem {
  variable: string;
  reasons: string[];
}

/** Converts and validates raw env values; returns the typed values and every problem found. */
export function validateEnvironment(raw: Record<string, string | undefined>): {
  env: EnvironmentVariables;
  problems: EnvironmentProblem[];
} {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(EnvironmentVariables, defined, { exposeDefaultValues: true });
  const problems = validateSync(env, { whitelist: false, stopAtFirstError: true }).map((error) => ({
    variable: error.property,
    reasons: Object.values(error.constraints ?? {}),
  }));
  return { env, problems };
}
