-- The account summary page, one row per account (written by the cabinet_accounts projection in the
-- transaction of each accounts event it applies; projections/cabinet_summaries.py). `page` holds what
-- does not depend on the date (client, status, lines with their add-ons); `block_terms` and `blocks`
-- are turned into the blocks section at read time (what is still available this year depends on
-- today). The money comes from `cabinet_accounts` (the payments projection) joined by the same key,
-- and is computed by the one funds formula (cabinet_payments_queries.funds).
CREATE TABLE cabinet_summaries (
    account_id      text PRIMARY KEY,
    organization_id text,
    opening_balance numeric(18, 2) NOT NULL,
    page            jsonb          NOT NULL,
    block_terms     jsonb,
    blocks          jsonb          NOT NULL DEFAULT '[]'::jsonb
);

-- Existing accounts get their row now, exactly as refresh_summary would write it (timestamps as
-- Python's isoformat of a UTC datetime, dates as ISO dates, amounts as their numeric text).
CREATE OR REPLACE FUNCTION pg_temp.iso(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN extract(microseconds FROM ts)::bigint % 1000000 <> 0
                THEN to_char(ts AT TIME ZONE 'UTC', '.US') ELSE '' END || '+00:00'
$$;

INSERT INTO cabinet_summaries (account_id, organization_id, opening_balance, page, block_terms, blocks)
SELECT d.account_id, d.organization_id, d.opening_balance,
    jsonb_build_object(
        'account_id', d.account_id, 'contract_number', d.contract_number,
        'client', jsonb_build_object('name', c.name, 'kind', c.kind),
        'organization_id', d.organization_id, 'payment_form', d.payment_form, 'opened_at', pg_temp.iso(d.opened_at),
        'status', CASE WHEN d.closed_at IS NOT NULL THEN 'closed' WHEN d.financially_blocked THEN 'blocked_financial'
                       WHEN d.voluntarily_blocked THEN 'blocked_voluntary' ELSE 'active' END,
        'lines', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'line_id', l.line_id, 'kind', l.kind, 'identifier', l.identifier, 'subscriber_name', l.subscriber_name,
                'tariff', jsonb_build_object('tariff_id', l.tariff_id, 'name', l.tariff_name,
                                             'monthly_fee', l.monthly_fee::text, 'vat_rate', l.vat_rate::text,
                                             'effective_from', to_char(l.tariff_from, 'YYYY-MM-DD')),
                'add_ons', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                        'service_id', a.service_id, 'name', a.name, 'monthly_fee', a.monthly_fee::text,
                        'connected_on', to_char(a.connected_on, 'YYYY-MM-DD'),
                        'disconnected_on', to_char(a.disconnected_on, 'YYYY-MM-DD'),
                        'status', CASE WHEN a.disconnected_on IS NULL THEN 'connected' ELSE 'disconnected' END)
                        ORDER BY a.connected_on, a.service_id)
                    FROM cabinet_add_ons a WHERE a.account_id = d.account_id AND a.line_id = l.line_id), '[]'::jsonb))
                ORDER BY l.added_seq)
            FROM cabinet_lines l WHERE l.account_id = d.account_id), '[]'::jsonb)),
    (SELECT l.block_terms FROM cabinet_lines l WHERE l.account_id = d.account_id AND l.block_terms IS NOT NULL
     ORDER BY l.added_seq LIMIT 1),
    coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'block_id', b.block_id, 'starts_on', to_char(b.starts_on, 'YYYY-MM-DD'),
            'ends_on', to_char(b.ends_on, 'YYYY-MM-DD'), 'days', b.days, 'fee', b.fee::text, 'state', b.state,
            'started_at', pg_temp.iso(b.started_at), 'ended_at', pg_temp.iso(b.ended_at), 'early', b.early)
            ORDER BY b.starts_on DESC, b.scheduled_at DESC)
        FROM cabinet_blocks b WHERE b.account_id = d.account_id), '[]'::jsonb)
FROM cabinet_account_directory d LEFT JOIN cabinet_clients c ON c.client_id = d.client_id;
