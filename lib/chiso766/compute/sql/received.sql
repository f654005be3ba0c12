-- The three levels (each unit, each tier, the province) are written once, as LEVEL and BY_LEVEL in
-- chiso766.indicators, and filled in where this query says so.
-- Received-based indicators: dossiers received in the period [period_start, period_end),
-- per unit, per tier and for the province. A flag left empty counts in the denominator, not in
-- the numerator, and is counted apart in `missing`.
-- The dossiers are counted once, per unit (the period is a filter the engine applies as it reads);
-- the tiers and the province are sums of their units' counts: the same counts as grouping every
-- dossier three times, from a hundred rows instead of millions. count_if(c) counts the rows where
-- c is true (NULL is not counted), like count(*) FILTER (WHERE c), with no selection made for each.
WITH per_unit AS (
    SELECT
        tier, unit_code, unit_name,
        count(*)                                                    AS received,
        count_if(channel = 2)                                       AS online,
        count_if(fee_required)                                      AS fee,
        count_if(fee_required AND paid_online)                      AS paid,
        count_if(fee_required AND paid_online IS NULL)              AS paid_missing,
        count_if(updated_on_system)                                 AS updated,
        count_if(updated_on_system IS NULL)                         AS updated_missing,
        count_if(digitized)                                         AS digitized,
        count_if(digitized IS NULL)                                 AS digitized_missing,
        count_if(reused_data)                                       AS reused,
        count_if(reused_data IS NULL)                               AS reused_missing
    FROM dossiers
    WHERE received_at >= $period_start AND received_at < $period_end
    GROUP BY tier, unit_code, unit_name
),
-- A level with no unit sums nothing: the province then has zeros (coalesce), as when it was counted.
totals AS (
    SELECT
        @level                                                  AS level,
        unit_code, unit_name, tier,
        CAST(coalesce(sum(received), 0) AS BIGINT)              AS received,
        CAST(coalesce(sum(online), 0) AS BIGINT)                AS online,
        CAST(coalesce(sum(fee), 0) AS BIGINT)                   AS fee,
        CAST(coalesce(sum(paid), 0) AS BIGINT)                  AS paid,
        CAST(coalesce(sum(paid_missing), 0) AS BIGINT)          AS paid_missing,
        CAST(coalesce(sum(updated), 0) AS BIGINT)               AS updated,
        CAST(coalesce(sum(updated_missing), 0) AS BIGINT)       AS updated_missing,
        CAST(coalesce(sum(digitized), 0) AS BIGINT)             AS digitized,
        CAST(coalesce(sum(digitized_missing), 0) AS BIGINT)     AS digitized_missing,
        CAST(coalesce(sum(reused), 0) AS BIGINT)                AS reused,
        CAST(coalesce(sum(reused_missing), 0) AS BIGINT)        AS reused_missing
    FROM per_unit
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
