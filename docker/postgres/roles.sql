-- Least privilege for pgmove. Run once per database as a superuser (or the database owner), e.g.:
--   psql "$ADMIN_URL" -v db=pgmove -v owner_password="$OWNER_PW" -v app_password="$APP_PW" -f docker/postgres/roles.sql
--
-- pgmove_owner: owns the schema; runs schema migrations (`npm run start:prod` once, or a deploy step)
--               and the `migrate` data-migration command.
-- pgmove_app:   what the service runs as day to day: DML on the app's tables, nothing else. It cannot
--               create, alter or drop anything.
\set ON_ERROR_STOP 1

SELECT 'CREATE ROLE pgmove_owner LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgmove_owner') \gexec
SELECT 'CREATE ROLE pgmove_app LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgmove_app') \gexec
ALTER ROLE pgmove_owner WITH LOGIN PASSWORD :'owner_password';
ALTER ROLE pgmove_app WITH LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;

REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO pgmove_owner, pgmove_app;
GRANT CREATE ON DATABASE :"db" TO pgmove_owner;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO pgmove_owner;
GRANT USAGE ON SCHEMA public TO pgmove_app;

-- Tables and sequences the owner creates from now on (schema and data migrations) are usable by the app.
ALTER DEFAULT PRIVILEGES FOR ROLE pgmove_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pgmove_app;
ALTER DEFAULT PRIVILEGES FOR ROLE pgmove_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO pgmove_app;

-- And the ones that already exist (when the roles are added to a running database).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pgmove_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO pgmove_app;
