using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>The schema, as versioned migrations recorded in <c>schema_migrations</c>.</summary>
/// <remarks>
/// Times are Unix milliseconds and costs integer nano-units, as in SQLite, so both stores answer alike. The spend log
/// (<c>model_calls</c>) is partitioned by month (<see cref="PostgresPartitions"/> creates partitions as rows need them);
/// <c>model_call_daily</c> rolls it up per day and dimension so spend and stats read days, not calls.
/// </remarks>
internal static partial class PostgresMigrations
{
    /// <summary>Any constant both the store and its migrations agree on; other applications' locks are unlikely to collide.</summary>
    private const long MigrationLock = 0x616c6c6f735f6d;

    /// <summary>Every migration, in order. Append new ones; never edit a released one.</summary>
    public static IReadOnlyList<(int Version, string Sql)> All { get; } =
    [
        (1, """
            CREATE TABLE sessions (
                id text PRIMARY KEY,
                title text,
                agent text,
                model text,
                parent_id text,
                created bigint NOT NULL,
                updated bigint NOT NULL,
                input_tokens bigint NOT NULL DEFAULT 0,
                output_tokens bigint NOT NULL DEFAULT 0,
                cached_input_tokens bigint NOT NULL DEFAULT 0,
                reasoning_tokens bigint NOT NULL DEFAULT 0,
                cost_nanos bigint,
                pinned boolean NOT NULL DEFAULT false
            );
            CREATE INDEX sessions_updated ON sessions (updated DESC);
            CREATE INDEX sessions_agent ON sessions (agent, updated DESC);

            -- search holds the text's words as the store tokenizes them (PostgresSearch), so queries and index agree.
            CREATE TABLE messages (
                id bigserial PRIMARY KEY,
                session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                seq bigint NOT NULL,
                role text NOT NULL,
                json text NOT NULL,
                text text NOT NULL,
                search tsvector NOT NULL,
                run_id text,
                created bigint NOT NULL,
                UNIQUE (session_id, seq)
            );
            CREATE INDEX messages_search ON messages USING gin (search);

            CREATE TABLE runs (
                id text PRIMARY KEY,
                session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                status text NOT NULL,
                started bigint NOT NULL,
                ended bigint,
                host text,
                pid integer,
                process_started bigint
            );
            CREATE INDEX runs_session ON runs (session_id);
            CREATE INDEX runs_status ON runs (status);

            -- The spend log. Partitioned by month on time; the primary key must hold the partition key.
            CREATE TABLE model_calls (
                id bigserial,
                time bigint NOT NULL,
                session_id text,
                run_id text,
                provider text NOT NULL,
                model text NOT NULL,
                latency_ms double precision NOT NULL,
                input_tokens bigint,
                output_tokens bigint,
                cached_input_tokens bigint,
                reasoning_tokens bigint,
                cost_nanos bigint,
                status text NOT NULL,
                error text,
                alias text,
                deployment text,
                user_key text,
                cache_hit boolean NOT NULL DEFAULT false,
                retries integer NOT NULL DEFAULT 0,
                fallbacks integer NOT NULL DEFAULT 0,
                streaming boolean NOT NULL DEFAULT false,
                ttft_ms double precision,
                prompt_name text,
                prompt_version integer,
                request_id text,
                key_hash text,
                key_alias text,
                team_id text,
                endpoint text,
                PRIMARY KEY (time, id)
            ) PARTITION BY RANGE (time);
            CREATE INDEX model_calls_key_time ON model_calls (key_hash, time);
            CREATE INDEX model_calls_user_time ON model_calls (user_key, time);
            CREATE INDEX model_calls_model_time ON model_calls (model, time);
            CREATE INDEX model_calls_alias_time ON model_calls (alias, time);
            CREATE INDEX model_calls_session_time ON model_calls (session_id, time);

            -- One row per day, dimension (alias, user, key, …) and value, kept in step by the telemetry writer.
            CREATE TABLE model_call_daily (
                day bigint NOT NULL,
                dimension text NOT NULL,
                value text NOT NULL,
                calls bigint NOT NULL,
                input_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                cached_input_tokens bigint NOT NULL,
                reasoning_tokens bigint NOT NULL,
                cost_nanos bigint,
                unknown_cost bigint NOT NULL,
                cache_hits bigint NOT NULL,
                retries bigint NOT NULL,
                fallbacks bigint NOT NULL,
                errors bigint NOT NULL,
                PRIMARY KEY (dimension, value, day)
            );

            CREATE TABLE tool_executions (
                id bigserial PRIMARY KEY,
                time bigint NOT NULL,
                session_id text,
                run_id text,
                tool_name text NOT NULL,
                call_id text,
                latency_ms double precision NOT NULL,
                status text NOT NULL,
                error text
            );
            CREATE INDEX tool_executions_time ON tool_executions (time);
            CREATE INDEX tool_executions_session ON tool_executions (session_id);

            CREATE TABLE run_steps (
                id bigserial PRIMARY KEY,
                time bigint NOT NULL,
                session_id text,
                run_id text NOT NULL,
                kind text NOT NULL,
                agent text NOT NULL,
                model text,
                tool_name text,
                call_id text,
                input text,
                output text,
                status text,
                input_tokens bigint,
                output_tokens bigint,
                cached_input_tokens bigint,
                reasoning_tokens bigint,
                latency_ms double precision NOT NULL
            );
            CREATE INDEX run_steps_run ON run_steps (run_id);
            CREATE INDEX run_steps_time ON run_steps (time);
            CREATE INDEX run_steps_session ON run_steps (session_id);

            CREATE TABLE virtual_keys (
                hash text PRIMARY KEY,
                key_name text,
                alias text UNIQUE,
                models text NOT NULL DEFAULT '[]',
                max_budget_nanos bigint,
                budget_duration text,
                budget_reset_at bigint,
                spend_nanos bigint NOT NULL DEFAULT 0,
                rpm_limit integer,
                tpm_limit integer,
                max_parallel_requests integer,
                expires bigint,
                user_id text,
                team_id text,
                metadata text,
                created bigint NOT NULL,
                blocked boolean NOT NULL DEFAULT false
            );
            CREATE INDEX virtual_keys_user ON virtual_keys (user_id);
            CREATE INDEX virtual_keys_team ON virtual_keys (team_id);

            CREATE TABLE budget_accounts (
                kind text NOT NULL,
                id text NOT NULL,
                alias text,
                models text NOT NULL DEFAULT '[]',
                max_budget_nanos bigint,
                budget_duration text,
                budget_reset_at bigint,
                spend_nanos bigint NOT NULL DEFAULT 0,
                rpm_limit integer,
                tpm_limit integer,
                max_parallel_requests integer,
                metadata text,
                created bigint NOT NULL,
                blocked boolean NOT NULL DEFAULT false,
                PRIMARY KEY (kind, id)
            );
            """),
        (2, """
            -- Shared limits (PostgresSharedLimits): what every instance reserves on keys, users and teams.
            ALTER TABLE virtual_keys ADD COLUMN reserved_nanos bigint NOT NULL DEFAULT 0, ADD COLUMN in_flight integer NOT NULL DEFAULT 0;
            ALTER TABLE budget_accounts ADD COLUMN reserved_nanos bigint NOT NULL DEFAULT 0, ADD COLUMN in_flight integer NOT NULL DEFAULT 0;

            -- Requests and tokens admitted per account ('key:<hash>', 'user:<id>', 'team:<id>') and second: the RPM/TPM windows.
            CREATE TABLE limit_windows (
                account text NOT NULL,
                second bigint NOT NULL,
                requests integer NOT NULL,
                tokens bigint NOT NULL,
                PRIMARY KEY (account, second)
            );
            CREATE INDEX limit_windows_second ON limit_windows (second);

            -- Calls admitted and not yet settled, with what each holds on which accounts.
            CREATE TABLE limit_leases (
                id uuid PRIMARY KEY,
                instance text NOT NULL,
                created bigint NOT NULL,
                second bigint NOT NULL,
                amount_nanos bigint NOT NULL,
                tokens bigint NOT NULL,
                kinds text[] NOT NULL,
                ids text[] NOT NULL,
                windowed boolean[] NOT NULL
            );
            CREATE INDEX limit_leases_instance ON limit_leases (instance);

            -- Each running instance's last heartbeat: the leases of one that stopped beating are reclaimed.
            CREATE TABLE limit_instances (id text PRIMARY KEY, seen bigint NOT NULL);

            -- The end of a budget period, as the gateway's KeyGate.NextReset computes it: whole periods (30s, 15m, 1h,
            -- 30d, 2w, 1mo; months are calendar months in UTC) after the last reset, the first still ahead of now.
            CREATE FUNCTION allos_next_reset(p_reset bigint, p_duration text, p_now bigint) RETURNS bigint
            LANGUAGE plpgsql IMMUTABLE AS $$
            DECLARE
                m text[] := regexp_match(trim(coalesce(p_duration, '')), '^([0-9]{1,9})(s|m|h|d|w|mo)$');
                step interval;
                now_ts timestamp := to_timestamp(p_now / 1000.0) AT TIME ZONE 'UTC';
                next_ts timestamp;
                i integer := 0;
            BEGIN
                IF m IS NULL OR m[1]::integer = 0 THEN
                    RETURN NULL;
                END IF;
                step := CASE m[2]
                    WHEN 's' THEN make_interval(secs => m[1]::integer)
                    WHEN 'm' THEN make_interval(mins => m[1]::integer)
                    WHEN 'h' THEN make_interval(hours => m[1]::integer)
                    WHEN 'd' THEN make_interval(days => m[1]::integer)
                    WHEN 'w' THEN make_interval(days => 7 * m[1]::integer)
                    ELSE make_interval(months => m[1]::integer) END;
                next_ts := (to_timestamp(p_reset / 1000.0) AT TIME ZONE 'UTC') + step;
                WHILE next_ts <= now_ts AND i < 10000 LOOP
                    next_ts := next_ts + step;
                    i := i + 1;
                END LOOP;
                IF next_ts <= now_ts THEN
                    next_ts := now_ts + step;
                END IF;
                RETURN round(extract(epoch FROM next_ts) * 1000)::bigint;
            END $$;

            -- Checks every account (in the order given: team, user, key, so two calls never lock in opposite orders) and
            -- reserves on all of them only when all pass. Returns one row: refused = 0 when reserved, else the account's
            -- position (1-based) and why. The row locks serialize calls on one account across every instance.
            CREATE FUNCTION allos_reserve(p_lease uuid, p_instance text, p_now bigint, p_amount bigint, p_tokens bigint, p_kinds text[], p_ids text[])
            RETURNS TABLE (refused integer, reason text, in_flight integer, spent bigint, reserved bigint, reset_at bigint, retry_ms bigint)
            LANGUAGE plpgsql AS $$
            #variable_conflict use_column
            DECLARE
                r record;
                v_second bigint := floor(p_now / 1000.0)::bigint;
                v_spend bigint;
                v_reset bigint;
                v_requests bigint;
                v_tokens bigint;
                v_oldest bigint;
                v_windowed boolean;
                v_kinds text[] := '{}';
                v_ids text[] := '{}';
                v_windows boolean[] := '{}';
            BEGIN
                FOR i IN 1 .. coalesce(array_length(p_kinds, 1), 0) LOOP
                    IF p_kinds[i] = 'key' THEN
                        SELECT k.max_budget_nanos AS budget, k.budget_duration AS duration, k.budget_reset_at AS reset_at, k.spend_nanos AS spend,
                               k.reserved_nanos AS held, k.in_flight AS busy, k.rpm_limit AS rpm, k.tpm_limit AS tpm, k.max_parallel_requests AS parallel
                          INTO r FROM virtual_keys k WHERE k.hash = p_ids[i] FOR UPDATE;
                        IF NOT FOUND THEN
                            RETURN QUERY SELECT i, 'gone'::text, 0, 0::bigint, 0::bigint, NULL::bigint, NULL::bigint;
                            RETURN;
                        END IF;
                    ELSE
                        SELECT a.max_budget_nanos AS budget, a.budget_duration AS duration, a.budget_reset_at AS reset_at, a.spend_nanos AS spend,
                               a.reserved_nanos AS held, a.in_flight AS busy, a.rpm_limit AS rpm, a.tpm_limit AS tpm, a.max_parallel_requests AS parallel
                          INTO r FROM budget_accounts a WHERE a.kind = p_kinds[i] AND a.id = p_ids[i] FOR UPDATE;
                        IF NOT FOUND THEN
                            CONTINUE; -- A deleted user or team no longer counts.
                        END IF;
                    END IF;

                    v_spend := r.spend;
                    v_reset := r.reset_at;
                    IF v_reset IS NOT NULL AND v_reset <= p_now THEN
                        -- A new budget period: what the old one spent no longer counts (calls in flight settle into the new one).
                        v_spend := 0;
                        v_reset := allos_next_reset(v_reset, r.duration, p_now);
                        IF p_kinds[i] = 'key' THEN
                            UPDATE virtual_keys SET spend_nanos = 0, budget_reset_at = v_reset WHERE hash = p_ids[i];
                        ELSE
                            UPDATE budget_accounts SET spend_nanos = 0, budget_reset_at = v_reset WHERE kind = p_kinds[i] AND id = p_ids[i];
                        END IF;
                    END IF;

                    IF r.parallel IS NOT NULL AND r.busy >= r.parallel THEN
                        RETURN QUERY SELECT i, 'parallel'::text, r.busy, v_spend, r.held, v_reset, 1000::bigint;
                        RETURN;
                    END IF;

                    IF r.budget IS NOT NULL AND (v_spend + r.held >= r.budget OR v_spend + r.held + p_amount > r.budget) THEN
                        -- Only calls in flight stand in the way when the call fits beside what is spent: retry in a second.
                        RETURN QUERY SELECT i, 'budget'::text, r.busy, v_spend, r.held, v_reset,
                            CASE WHEN v_spend < r.budget AND v_spend + p_amount <= r.budget THEN 1000::bigint ELSE v_reset - p_now END;
                        RETURN;
                    END IF;

                    v_windowed := r.rpm IS NOT NULL OR r.tpm IS NOT NULL;
                    IF v_windowed THEN
                        -- 61 whole seconds, this one included: never more than the limit in any 60 seconds.
                        SELECT coalesce(sum(w.requests), 0), coalesce(sum(w.tokens), 0), min(w.second) INTO v_requests, v_tokens, v_oldest
                          FROM limit_windows w WHERE w.account = p_kinds[i] || ':' || p_ids[i] AND w.second >= v_second - 60;
                        -- A call whose estimate alone exceeds the tpm is admitted into an empty window, as in one process.
                        IF (r.rpm IS NOT NULL AND v_requests >= r.rpm) OR (r.tpm IS NOT NULL AND v_tokens > 0 AND v_tokens + p_tokens > r.tpm) THEN
                            RETURN QUERY SELECT i, 'rate'::text, r.busy, v_spend, r.held, v_reset, greatest(1000::bigint, (v_oldest + 61) * 1000 - p_now);
                            RETURN;
                        END IF;
                    END IF;

                    v_kinds := v_kinds || p_kinds[i];
                    v_ids := v_ids || p_ids[i];
                    v_windows := v_windows || v_windowed;
                END LOOP;

                FOR j IN 1 .. coalesce(array_length(v_kinds, 1), 0) LOOP
                    IF v_kinds[j] = 'key' THEN
                        UPDATE virtual_keys SET in_flight = in_flight + 1, reserved_nanos = reserved_nanos + p_amount WHERE hash = v_ids[j];
                    ELSE
                        UPDATE budget_accounts SET in_flight = in_flight + 1, reserved_nanos = reserved_nanos + p_amount WHERE kind = v_kinds[j] AND id = v_ids[j];
                    END IF;
                    IF v_windows[j] THEN
                        INSERT INTO limit_windows AS w (account, second, requests, tokens) VALUES (v_kinds[j] || ':' || v_ids[j], v_second, 1, p_tokens)
                        ON CONFLICT (account, second) DO UPDATE SET requests = w.requests + 1, tokens = w.tokens + excluded.tokens;
                    END IF;
                END LOOP;

                INSERT INTO limit_leases (id, instance, created, second, amount_nanos, tokens, kinds, ids, windowed)
                VALUES (p_lease, p_instance, p_now, v_second, p_amount, p_tokens, v_kinds, v_ids, v_windows);
                RETURN QUERY SELECT 0, NULL::text, 0, 0::bigint, 0::bigint, NULL::bigint, NULL::bigint;
            END $$;

            -- Ends leases: their requests and budget come back, every account each held is charged its actual cost, and
            -- window entries hold the actual tokens instead of the estimate. Leases already settled or reclaimed are skipped.
            -- The accounts are locked first, teams and users then keys, each in id order: a reservation locks team, user,
            -- key, holding one of each, so no reservation and no other settle can wait on this one in a cycle.
            CREATE FUNCTION allos_settle(p_leases uuid[], p_actual bigint[], p_tokens bigint[]) RETURNS integer
            LANGUAGE plpgsql AS $$
            #variable_conflict use_column
            DECLARE
                v_settled integer;
            BEGIN
                PERFORM 1 FROM budget_accounts a
                  WHERE (a.kind, a.id) IN (SELECT u.kind, u.id FROM limit_leases l CROSS JOIN LATERAL unnest(l.kinds, l.ids) AS u(kind, id)
                                           WHERE l.id = ANY (p_leases) AND u.kind <> 'key')
                  ORDER BY a.kind = 'user', a.id FOR UPDATE OF a;
                PERFORM 1 FROM virtual_keys k
                  WHERE k.hash IN (SELECT u.id FROM limit_leases l CROSS JOIN LATERAL unnest(l.kinds, l.ids) AS u(kind, id)
                                   WHERE l.id = ANY (p_leases) AND u.kind = 'key')
                  ORDER BY k.hash FOR UPDATE OF k;

                WITH gone AS (
                    DELETE FROM limit_leases l USING unnest(p_leases, p_actual, p_tokens) AS i(id, actual, used)
                    WHERE l.id = i.id
                    RETURNING l.kinds, l.ids, l.windowed, l.second, l.amount_nanos, l.tokens, i.actual, i.used),
                held AS (
                    SELECT u.kind, u.id, u.windowed, g.second, g.amount_nanos, g.tokens, g.actual, g.used
                    FROM gone g CROSS JOIN LATERAL unnest(g.kinds, g.ids, g.windowed) AS u(kind, id, windowed)),
                per AS (
                    SELECT h.kind, h.id, count(*)::integer AS n, sum(h.amount_nanos) AS amount, sum(h.actual) AS actual FROM held h GROUP BY h.kind, h.id),
                keys AS (
                    UPDATE virtual_keys k SET in_flight = greatest(k.in_flight - p.n, 0), reserved_nanos = greatest(k.reserved_nanos - p.amount, 0),
                        spend_nanos = k.spend_nanos + p.actual
                    FROM per p WHERE p.kind = 'key' AND k.hash = p.id RETURNING 1),
                owners AS (
                    UPDATE budget_accounts a SET in_flight = greatest(a.in_flight - p.n, 0), reserved_nanos = greatest(a.reserved_nanos - p.amount, 0),
                        spend_nanos = a.spend_nanos + p.actual
                    FROM per p WHERE p.kind <> 'key' AND a.kind = p.kind AND a.id = p.id RETURNING 1),
                windows AS (
                    UPDATE limit_windows w SET tokens = greatest(w.tokens + c.delta, 0)
                    FROM (SELECT h.kind || ':' || h.id AS account, h.second, sum(h.used - h.tokens) AS delta FROM held h WHERE h.windowed GROUP BY 1, 2) c
                    WHERE c.delta <> 0 AND w.account = c.account AND w.second = c.second RETURNING 1)
                SELECT count(*) INTO v_settled FROM gone;
                RETURN v_settled;
            END $$;
            """),
        (3, """
            -- The Router's response cache (PostgresResponseCache), shared by every instance. Unlogged: a crash may empty
            -- it, which costs provider calls but never a wrong answer, and its writes skip the WAL.
            CREATE UNLOGGED TABLE response_cache (
                key text PRIMARY KEY,
                json text NOT NULL,
                created bigint NOT NULL,
                expires bigint NOT NULL,
                last_used bigint NOT NULL
            );
            CREATE INDEX response_cache_expires ON response_cache (expires);
            CREATE INDEX response_cache_last_used ON response_cache (last_used);
            """),
        (4, """
            -- The Routers' shared cooldowns (PostgresSharedCooldowns): a deployment's latest cooldown end, Unix ms.
            CREATE TABLE deployment_cooldowns (
                deployment text PRIMARY KEY,
                until bigint NOT NULL
            );
            """),
        (5, """
            -- Shared limits with Redis in front (RedisSharedLimits): Redis holds the live counters, the database the
            -- accounts' limits and spend. allos_limit_state reads them, starting a new budget period first where one is
            -- due (as allos_reserve does), in the order given (team, user, key), one row per account.
            CREATE FUNCTION allos_limit_state(p_now bigint, p_kinds text[], p_ids text[])
            RETURNS TABLE (present boolean, budget bigint, reset_at bigint, spend bigint, rpm integer, tpm integer, parallel integer)
            LANGUAGE plpgsql AS $$
            #variable_conflict use_column
            DECLARE
                r record;
            BEGIN
                FOR i IN 1 .. coalesce(array_length(p_kinds, 1), 0) LOOP
                    IF p_kinds[i] = 'key' THEN
                        UPDATE virtual_keys k SET spend_nanos = 0, budget_reset_at = allos_next_reset(k.budget_reset_at, k.budget_duration, p_now)
                          WHERE k.hash = p_ids[i] AND k.budget_reset_at <= p_now;
                        SELECT k.max_budget_nanos AS budget, k.budget_reset_at AS reset_at, k.spend_nanos AS spend, k.rpm_limit AS rpm,
                               k.tpm_limit AS tpm, k.max_parallel_requests AS parallel
                          INTO r FROM virtual_keys k WHERE k.hash = p_ids[i];
                    ELSE
                        UPDATE budget_accounts a SET spend_nanos = 0, budget_reset_at = allos_next_reset(a.budget_reset_at, a.budget_duration, p_now)
                          WHERE a.kind = p_kinds[i] AND a.id = p_ids[i] AND a.budget_reset_at <= p_now;
                        SELECT a.max_budget_nanos AS budget, a.budget_reset_at AS reset_at, a.spend_nanos AS spend, a.rpm_limit AS rpm,
                               a.tpm_limit AS tpm, a.max_parallel_requests AS parallel
                          INTO r FROM budget_accounts a WHERE a.kind = p_kinds[i] AND a.id = p_ids[i];
                    END IF;
                    IF FOUND THEN
                        RETURN QUERY SELECT true, r.budget, r.reset_at, r.spend, r.rpm, r.tpm, r.parallel;
                    ELSE
                        RETURN QUERY SELECT false, NULL::bigint, NULL::bigint, 0::bigint, NULL::integer, NULL::integer, NULL::integer;
                    END IF;
                END LOOP;
            END $$;

            -- Charges accounts what calls cost (element i: p_amounts[i] nanos to account p_kinds[i]/p_ids[i]; an account
            -- that no longer exists is skipped). Locks as allos_settle does: teams and users, then keys, each in id order.
            CREATE FUNCTION allos_charge(p_kinds text[], p_ids text[], p_amounts bigint[]) RETURNS void
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM 1 FROM budget_accounts a
                  WHERE (a.kind, a.id) IN (SELECT u.kind, u.id FROM unnest(p_kinds, p_ids) AS u(kind, id) WHERE u.kind <> 'key')
                  ORDER BY a.kind = 'user', a.id FOR UPDATE OF a;
                PERFORM 1 FROM virtual_keys k
                  WHERE k.hash IN (SELECT u.id FROM unnest(p_kinds, p_ids) AS u(kind, id) WHERE u.kind = 'key')
                  ORDER BY k.hash FOR UPDATE OF k;
                UPDATE virtual_keys k SET spend_nanos = k.spend_nanos + c.total
                  FROM (SELECT u.id, sum(u.amount) AS total FROM unnest(p_kinds, p_ids, p_amounts) AS u(kind, id, amount)
                        WHERE u.kind = 'key' GROUP BY u.id) c
                  WHERE k.hash = c.id;
                UPDATE budget_accounts a SET spend_nanos = a.spend_nanos + c.total
                  FROM (SELECT u.kind, u.id, sum(u.amount) AS total FROM unnest(p_kinds, p_ids, p_amounts) AS u(kind, id, amount)
                        WHERE u.kind <> 'key' GROUP BY u.kind, u.id) c
                  WHERE a.kind = c.kind AND a.id = c.id;
            END $$;
            """),
        (6, ReservationBlocks),
    ];

    public static int Latest => All.Max(m => m.Version);

    /// <summary>
    /// Applies the missing migrations in one transaction under an advisory lock, so instances opening the database at
    /// once apply each exactly once (the others wait, then find nothing to do). DDL is transactional in PostgreSQL:
    /// a failed migration leaves the schema as it was.
    /// </summary>
    /// <returns>The versions applied by this call.</returns>
    public static async Task<IReadOnlyList<int>> ApplyAsync(NpgsqlConnection connection, IReadOnlyList<(int Version, string Sql)> migrations, long nowMs, CancellationToken cancellationToken)
    {
        using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        using (NpgsqlCommand prepare = PostgresDatabase.Command(connection, transaction, """
            SELECT pg_advisory_xact_lock(@lock);
            CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied bigint NOT NULL);
            """))
        {
            prepare.Parameters.Long("lock", MigrationLock);
            await prepare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Every version not recorded yet, not only those above the highest: branches that each appended one must all land.
        var done = new HashSet<int>();
        using (NpgsqlCommand read = PostgresDatabase.Command(connection, transaction, "SELECT version FROM schema_migrations;"))
        using (NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                done.Add(reader.GetInt32(0));
            }
        }

        var applied = new List<int>();
        foreach ((int version, string sql) in migrations.OrderBy(m => m.Version).Where(m => !done.Contains(m.Version)))
        {
            using (NpgsqlCommand apply = PostgresDatabase.Command(connection, transaction, sql))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (NpgsqlCommand record = PostgresDatabase.Command(connection, transaction, "INSERT INTO schema_migrations (version, applied) VALUES (@v, @t);"))
            {
                record.Parameters.Int("v", version).Long("t", nowMs);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            applied.Add(version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }
}
