-- Backlog at the as-of date: dossiers received by then and not finished by then (in process),
-- and those of them past their due date (overdue); beside them, dossiers finished late in the
-- period (the "quá hạn đã xử lý" column of the provincial reports).
WITH flags AS (
    SELECT unit_code, unit_name, tier,
           received_at <= $as_of_end AND (finished_at IS NULL OR finished_at > $as_of_end)      AS in_process,
           received_at <= $as_of_end AND (finished_at IS NULL OR finished_at > $as_of_end)
               AND due_at < $as_of_end                                                          AS overdue,
           finished_at >= $period_start AND finished_at < $period_end AND finished_at > due_at AS finished_late
    FROM dossiers
)
SELECT
    CASE WHEN grouping(unit_code) = 0 THEN 'unit'
         WHEN grouping(tier) = 0 THEN tier
         ELSE 'province' END                       AS level,
    unit_code, unit_name, tier,
    count(*) FILTER (WHERE in_process)             AS in_process,
    count(*) FILTER (WHERE overdue)                AS overdue_in_process,
    count(*) FILTER (WHERE finished_late)          AS finished_late
FROM flags
GROUP BY GROUPING SETS ((tier, unit_code, unit_name), (tier), ())
