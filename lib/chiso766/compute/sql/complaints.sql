-- The three levels (each unit, each tier, the province) are written once, as LEVEL and BY_LEVEL in
-- chiso766.indicators, and filled in where this query says so.
-- Complaints (phản ánh, kiến nghị) handled as required: received in the period and handled no
-- later than their due date. A complaint still open and not yet due at the as-of date is not
-- counted either way.
WITH received AS (
    SELECT unit_code, unit_name, tier, handled_at, due_at
    FROM complaints
    WHERE received_at >= $period_start AND received_at < $period_end
      AND (handled_at <= $as_of_end OR due_at <= $as_of_end)
),
totals AS (
    SELECT
        @level                                              AS level,
        unit_code, unit_name, tier,
        count(*)                                                              AS received,
        count(*) FILTER (WHERE handled_at <= $as_of_end
                           AND (due_at IS NULL OR handled_at <= due_at))      AS handled
    FROM received
    @by_level
)
SELECT level, unit_code, unit_name, tier, 'complaints_handled' AS indicator,
       handled AS numerator, received AS denominator, 0 AS missing FROM totals
