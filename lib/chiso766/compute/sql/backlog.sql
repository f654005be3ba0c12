-- The three levels (each unit, each tier, the province) are written once, as LEVEL and BY_LEVEL in
-- chiso766.indicators, and filled in where this query says so.
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
    @level                       AS level,
    unit_code, unit_name, tier,
    count(*) FILTER (WHERE in_process)             AS in_process,
    count(*) FILTER (WHERE overdue)                AS overdue_in_process,
    count(*) FILTER (WHERE finished_late)          AS finished_late
FROM flags
@by_level
