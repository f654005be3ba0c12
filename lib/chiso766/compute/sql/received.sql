-- The three levels (each unit, each tier, the province) are written once, as LEVEL and BY_LEVEL in
-- chiso766.indicators, and filled in where this query says so.
-- Received-based indicators: dossiers received in the period [period_start, period_end),
-- per unit, per tier and for the province. A flag left empty counts in the denominator, not in
-- the numerator, and is counted apart in `missing`.
WITH received AS (
    SELECT unit_code, unit_name, tier, channel, fee_required, paid_online,
           updated_on_system, digitized, reused_data
    FROM dossiers
    WHERE received_at >= $period_start AND received_at < $period_end
),
totals AS (
    SELECT
        @level                                          AS level,
        unit_code, unit_name, tier,
        count(*)                                                          AS received,
        count(*) FILTER (WHERE channel = 2)                               AS online,
        count(*) FILTER (WHERE fee_required)                              AS fee,
        count(*) FILTER (WHERE fee_required AND paid_online)              AS paid,
        count(*) FILTER (WHERE fee_required AND paid_online IS NULL)      AS paid_missing,
        count(*) FILTER (WHERE updated_on_system)                         AS updated,
        count(*) FILTER (WHERE updated_on_system IS NULL)                 AS updated_missing,
        count(*) FILTER (WHERE digitized)                                 AS digitized,
        count(*) FILTER (WHERE digitized IS NULL)                         AS digitized_missing,
        count(*) FILTER (WHERE reused_data)                               AS reused,
        count(*) FILTER (WHERE reused_data IS NULL)                       AS reused_missing
    FROM received
    @by_level
)
SELECT level, unit_code, unit_name, tier, 'online_submission' AS indicator,
       online AS numerator, received AS denominator, 0 AS missing FROM totals
UNION ALL
SELECT level, unit_code, unit_name, tier, 'online_payment', paid, fee, paid_missing FROM totals
UNION ALL
SELECT level, unit_code, unit_name, tier, 'updated_on_system', updated, received, updated_missing FROM totals
UNION ALL
SELECT level, unit_code, unit_name, tier, 'digitized', digitized, received, digitized_missing FROM totals
UNION ALL
SELECT level, unit_code, unit_name, tier, 'data_reuse', reused, received, reused_missing FROM totals
