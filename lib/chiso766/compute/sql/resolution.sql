-- The three levels (each unit, each tier, the province) are written once, as LEVEL and BY_LEVEL in
-- chiso766.indicators, and filled in where this query says so.
-- Resolution: dossiers finished in the period [period_start, period_end), whenever they were
-- received. On time: finished no later than the due date; late: after it. A dossier with no due
-- date is neither, and is counted in `missing`.
-- Counted once per unit, then summed per tier and for the province (see received.sql).
WITH per_unit AS (
    SELECT
        tier, unit_code, unit_name,
        count(*)                                        AS finished,
        count_if(finished_at <= due_at)                 AS on_time,
        count_if(finished_at > due_at)                  AS late,
        count_if(due_at IS NULL)                        AS no_due
    FROM dossiers
    WHERE finished_at >= $period_start AND finished_at < $period_end
    GROUP BY tier, unit_code, unit_name
),
totals AS (
    SELECT
        @level                                          AS level,
        unit_code, unit_name, tier,
        CAST(coalesce(sum(finished), 0) AS BIGINT)      AS finished,
        CAST(coalesce(sum(on_time), 0) AS BIGINT)       AS on_time,
        CAST(coalesce(sum(late), 0) AS BIGINT)          AS late,
        CAST(coalesce(sum(no_due), 0) AS BIGINT)        AS no_due
    FROM per_unit
    @by_level
)
SELECT level, unit_code, unit_name, tier, 'resolved_on_time' AS indicator,
       on_time AS numerator, finished AS denominator, no_due AS missing FROM totals
UNION ALL
SELECT level, unit_code, unit_name, tier, 'resolved_late', late, finished, no_due FROM totals
