-- contrib/postgresql-grants.sql - the rights of grondslag's database roles
-- on a store in PostgreSQL (docs/operations.md, "A store shared by several
-- relays").  Run by the store's owner (the admin role that ran
-- "grondslag store init"), in the store's database, after the init:
--   psql "host=/run/postgresql dbname=grondslag user=grondslag_admin" \
--        -f contrib/postgresql-grants.sql
-- The roles exist already (CREATE ROLE ... LOGIN, see operations.md):
--   grondslag_milter  the daemon on every relay: reads everything, inserts
--                     and updates holds, recipients, notices, release
--                     tokens and cases (holder, advice asked), inserts shares, approvals and audit records;
--                     deletes nothing, changes no schema, and cannot
--                     update or delete an audit record (no right to, and a
--                     trigger refuses it besides).
--   grondslag_reader  reports and auditors' tools that read the store
--                     directly: SELECT only.
-- PostgreSQL 15 gives PUBLIC no CREATE on the schema public: neither role
-- can create a table, function or trigger.  Neither may own anything.

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO grondslag_milter, grondslag_reader;

GRANT SELECT ON ALL TABLES IN SCHEMA public TO grondslag_milter, grondslag_reader;
GRANT INSERT, UPDATE ON holds, hold_recipients, outbox, release_tokens, hold_cases,
	hold_advice, leases TO grondslag_milter;
GRANT INSERT ON hold_messages, hold_delivered, shares, hold_approvals, audit
	TO grondslag_milter;
-- the identity columns of the rows the daemon inserts
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO grondslag_milter;
