-- Row-level security on tenant_id: the second wall behind the application's own filtering.
--
-- The application's pool runs as `portico_app` (`SET ROLE` after connecting, or a login that is
-- a member of it), which owns no table, so PostgreSQL applies the policies below to it. Each
-- connection carries the tenant of the task that acquired it in `portico.tenant_id`: a brand's
-- id, '*' for work that crosses brands by design (jobs, sign-in, platform admin, console), or
-- '' when nothing set it, which matches no row. The table owner (migrations, the operator's
-- console) is not subject to the policies.

-- Roles are cluster-wide and several databases may be migrated at once (the tests do): a
-- concurrent creation is not an error.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portico_app') THEN
        BEGIN
            CREATE ROLE portico_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    -- The owner must be able to `SET ROLE portico_app` (a superuser always can).
    IF NOT pg_has_role(current_user, 'portico_app', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT portico_app TO %I', current_user);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO portico_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portico_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portico_app;
-- The migration history is the owner's: the application may read it, never change it.
REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM portico_app;

-- Tables, sequences and schemas the owner creates later (later migrations, the session
-- store's schema) are usable by the application too.
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portico_app;
ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO portico_app;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO portico_app;

-- The session store made its schema at an earlier start of a database being upgraded.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'tower_sessions') THEN
        GRANT USAGE ON SCHEMA tower_sessions TO portico_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tower_sessions TO portico_app;
    END IF;
END
$$;

-- The policies. `visible` says whether a row's tenant_id is visible in the connection's scope:
-- the wildcard sees every row, otherwise only the tenant's own; the setting is read once per
-- statement (the sub-selects). It is written so the planner estimates it as passing nearly
-- every row (NULLIF … IS NOT NULL counts as an unknown NOT NULL test, 0.995) rather than as a
-- second `tenant_id = ?` on top of the query's own, which it would count twice: with
-- `tenant_id = setting OR setting = '*'` a brand's order list went from an ordered index scan
-- (0.5 ms) to a bitmap scan and a sort (30 ms). Its meaning is plain: true when the CASE is
-- true, false when it is false or NULL (no setting), never NULL.
--
-- Every table with a NOT NULL tenant_id: a row is visible and writable only in its tenant's
-- scope (or the '*' scope). The integration test `every_tenant_table_has_row_level_security`
-- fails for a later table without a policy.
--
-- The audit log: NULL tenant_id is the platform chain (sign-ins, platform admin, console).
-- Anyone may append to it, only the '*' scope reads it; there are no UPDATE or DELETE
-- policies, so the application cannot change history even before the trigger refuses it.
--
-- Trace links: NULL tenant_id is a factory's own link between its lots and batches, which
-- belongs to no brand (like the lots themselves); links to shipments and orders are brand data.
DO $$
DECLARE
    t TEXT;
    visible CONSTANT TEXT :=
        'NULLIF(CASE WHEN (SELECT current_setting(''portico.tenant_id'', true)) = ''*'' '
        'THEN true ELSE tenant_id = (SELECT current_setting(''portico.tenant_id'', true)) END, '
        'false) IS NOT NULL';
BEGIN
    FOR t IN
        SELECT c.table_name
        FROM information_schema.columns c
        JOIN information_schema.tables b
          ON b.table_schema = c.table_schema AND b.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id'
          AND c.is_nullable = 'NO' AND b.table_type = 'BASE TABLE'
        ORDER BY c.table_name
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (%s) WITH CHECK (%s)',
                       t, visible, visible);
    END LOOP;

    ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
    EXECUTE format('CREATE POLICY tenant_reads ON audit_log FOR SELECT USING (%s)', visible);
    EXECUTE format('CREATE POLICY tenant_appends ON audit_log FOR INSERT '
                   'WITH CHECK (tenant_id IS NULL OR %s)', visible);

    ALTER TABLE trace_edges ENABLE ROW LEVEL SECURITY;
    EXECUTE format('CREATE POLICY tenant_isolation ON trace_edges '
                   'USING (tenant_id IS NULL OR %s) WITH CHECK (tenant_id IS NULL OR %s)',
                   visible, visible);
END
$$;
