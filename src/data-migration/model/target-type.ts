/** PostgreSQL column types the migration converts values for (the mapping rules are in schema/target-type). */

export type TargetKind =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'boolean'
  | 'double'
  | 'real'
  | 'numeric'
  | 'text'
  | 'varchar'
  | 'char'
  | 'bytea'
  | 'timestamptz'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'jsonb'
  | 'json'
  | 'uuid'
  | 'other';

export interface TargetType {
  kind: TargetKind;
  /** The type as written in DDL, e.g. `numeric(10,2)`. */
  sql: string;
  length?: number;
  precision?: number;
  scale?: number;
}
