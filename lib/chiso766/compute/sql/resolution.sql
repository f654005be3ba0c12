-- The three levels (each unit, each tier, the province) are written once, as LEVEL and BY_LEVEL in
-- chiso766.indicators, and filled in where this query says so.
-- Resolution: dossiers finished in the period [period_start, period_end), whenever they were
-- received. On time: finished no later than the due date; late: after it. A dossier with no due
-- date is neither, and is counted in `missing`.
WITH finished AS (
    SELECT unit_code, unit_name, tier, finished_at, due_at
    FROM dossiers
    WHERE finished_at >= $period_start AND finished_at < $period_end
),
totals AS (
    SELECT
        @level                                  AS level,
        unit_code, unit_name, tier,
        count(*)                                                  AS finished,
        count(*) FILTER (WHERE finished_at <= due_at)             AS on_time,
        count(*) FILTER (WHERE finished_at > due_at)              AS late,
        count(*) FILTER (WHERE due_at IS NULL)                    AS no_due
    FROM finished
    @by_level
)
SELECT level, unit_code, unit_name, tier, 'resolved_on_time' AS indicator,
       on_time AS numerator, finished AS denominator, no_due AS missing FROM totals
UNION ALL
SELECT level, unit_code, unit_name, tier, 'resolved_late', late, finished, no_due FROM totals
