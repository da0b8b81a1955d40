namespace Allos.Storage.Postgres;

/// <summary>Migration 6: leases that hold several requests at once (the shared limits' reservation blocks).</summary>
internal static partial class PostgresMigrations
{
    /// <summary>
    /// A lease now holds <c>requests</c> requests (1 for one call): an instance far from every limit reserves a block of
    /// calls in one round trip and admits them itself (<see cref="Limits.LimitBlocks"/>). Its settle says how many calls it
    /// admitted; the rest come back to the rate window. The old signatures stay, for instances not yet upgraded.
    /// </summary>
    private const string ReservationBlocks = """
        ALTER TABLE limit_leases ADD COLUMN requests integer NOT NULL DEFAULT 1;

        -- As before, with p_requests requests in flight and in the window instead of one.
        CREATE FUNCTION allos_reserve(p_lease uuid, p_instance text, p_now bigint, p_amount bigint, p_tokens bigint, p_kinds text[], p_ids text[], p_requests integer)
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

                IF r.parallel IS NOT NULL AND r.busy + p_requests > r.parallel THEN
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
                    IF (r.rpm IS NOT NULL AND v_requests + p_requests > r.rpm) OR (r.tpm IS NOT NULL AND v_tokens > 0 AND v_tokens + p_tokens > r.tpm) THEN
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
                    UPDATE virtual_keys SET in_flight = in_flight + p_requests, reserved_nanos = reserved_nanos + p_amount WHERE hash = v_ids[j];
                ELSE
                    UPDATE budget_accounts SET in_flight = in_flight + p_requests, reserved_nanos = reserved_nanos + p_amount WHERE kind = v_kinds[j] AND id = v_ids[j];
                END IF;
                IF v_windows[j] THEN
                    INSERT INTO limit_windows AS w (account, second, requests, tokens) VALUES (v_kinds[j] || ':' || v_ids[j], v_second, p_requests, p_tokens)
                    ON CONFLICT (account, second) DO UPDATE SET requests = w.requests + excluded.requests, tokens = w.tokens + excluded.tokens;
                END IF;
            END LOOP;

            INSERT INTO limit_leases (id, instance, created, second, amount_nanos, tokens, kinds, ids, windowed, requests)
            VALUES (p_lease, p_instance, p_now, v_second, p_amount, p_tokens, v_kinds, v_ids, v_windows, p_requests);
            RETURN QUERY SELECT 0, NULL::text, 0, 0::bigint, 0::bigint, NULL::bigint, NULL::bigint;
        END $$;

        CREATE OR REPLACE FUNCTION allos_reserve(p_lease uuid, p_instance text, p_now bigint, p_amount bigint, p_tokens bigint, p_kinds text[], p_ids text[])
        RETURNS TABLE (refused integer, reason text, in_flight integer, spent bigint, reserved bigint, reset_at bigint, retry_ms bigint)
        LANGUAGE sql AS $$ SELECT * FROM allos_reserve(p_lease, p_instance, p_now, p_amount, p_tokens, p_kinds, p_ids, 1) $$;

        -- As before; p_calls[i] is how many of lease i's requests were used (NULL: all), the others leave its window.
        CREATE FUNCTION allos_settle(p_leases uuid[], p_actual bigint[], p_tokens bigint[], p_calls integer[]) RETURNS integer
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
                DELETE FROM limit_leases l USING unnest(p_leases, p_actual, p_tokens, p_calls) AS i(id, actual, used, calls)
                WHERE l.id = i.id
                RETURNING l.kinds, l.ids, l.windowed, l.second, l.amount_nanos, l.tokens, l.requests, i.actual, i.used,
                    least(coalesce(i.calls, l.requests), l.requests) AS calls),
            held AS (
                SELECT u.kind, u.id, u.windowed, g.second, g.amount_nanos, g.tokens, g.requests, g.actual, g.used, g.calls
                FROM gone g CROSS JOIN LATERAL unnest(g.kinds, g.ids, g.windowed) AS u(kind, id, windowed)),
            per AS (
                SELECT h.kind, h.id, sum(h.requests)::integer AS n, sum(h.amount_nanos) AS amount, sum(h.actual) AS actual FROM held h GROUP BY h.kind, h.id),
            keys AS (
                UPDATE virtual_keys k SET in_flight = greatest(k.in_flight - p.n, 0), reserved_nanos = greatest(k.reserved_nanos - p.amount, 0),
                    spend_nanos = k.spend_nanos + p.actual
                FROM per p WHERE p.kind = 'key' AND k.hash = p.id RETURNING 1),
            owners AS (
                UPDATE budget_accounts a SET in_flight = greatest(a.in_flight - p.n, 0), reserved_nanos = greatest(a.reserved_nanos - p.amount, 0),
                    spend_nanos = a.spend_nanos + p.actual
                FROM per p WHERE p.kind <> 'key' AND a.kind = p.kind AND a.id = p.id RETURNING 1),
            windows AS (
                UPDATE limit_windows w SET tokens = greatest(w.tokens + c.delta, 0), requests = greatest(w.requests + c.unused, 0)
                FROM (SELECT h.kind || ':' || h.id AS account, h.second, sum(h.used - h.tokens) AS delta, sum(h.calls - h.requests) AS unused
                      FROM held h WHERE h.windowed GROUP BY 1, 2) c
                WHERE (c.delta <> 0 OR c.unused <> 0) AND w.account = c.account AND w.second = c.second RETURNING 1)
            SELECT count(*) INTO v_settled FROM gone;
            RETURN v_settled;
        END $$;

        CREATE OR REPLACE FUNCTION allos_settle(p_leases uuid[], p_actual bigint[], p_tokens bigint[]) RETURNS integer
        LANGUAGE sql AS $$ SELECT allos_settle(p_leases, p_actual, p_tokens, NULL::integer[]) $$;
        """;
}
