-- The physical limit: plain COPY of pre-converted CSV, then the same keys, indexes and FK as the source.
\set ON_ERROR_STOP 1
CREATE TABLE authors (id bigint NOT NULL, name varchar(100) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE events (
  id bigint NOT NULL,
  author_id bigint NOT NULL,
  title varchar(120) NOT NULL,
  happened_at timestamptz NOT NULL,
  amount numeric(12,2) NOT NULL,
  ratio double precision,
  payload jsonb,
  note text
);
\copy authors FROM :'authors_csv' WITH (FORMAT csv)
\copy events FROM :'events_csv' WITH (FORMAT csv)
ALTER TABLE authors ADD PRIMARY KEY (id);
ALTER TABLE events ADD PRIMARY KEY (id);
CREATE INDEX events_author_id ON events (author_id);
CREATE INDEX events_happened_at ON events (happened_at);
ALTER TABLE events ADD FOREIGN KEY (author_id) REFERENCES authors (id);
