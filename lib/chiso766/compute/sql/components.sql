-- The three levels (each unit, each tier, the province) are written once, as LEVEL and BY_LEVEL in
-- chiso766.indicators, and filled in where this query says so.
-- The 766 components that dossier data determines, as numerator and denominator per unit
-- (points are computed from them by chiso766.scoring, the same code that scores the portal).
--   2.1  handled on time, including those still in process and not yet late, over received.
--        The evaluation ends at eval_end (the period's end, or the as-of date if earlier).
--        Supplements: the time between a request and its completion extends the due date;
--        more than one request makes the dossier late; a request never completed ends it.
--   3.3  submitted online (channel 2) over received.
--   3.6  paid online over fee-bearing dossiers.
--   4.2  digitized over received.      4.3  reusing digitized data over received.
WITH received AS (
    SELECT *,
        CASE WHEN supplement_requested_at IS NOT NULL AND supplement_completed_at IS NULL
             THEN supplement_requested_at
             ELSE finished_at END                                                    AS end_at,
        CASE WHEN supplement_completed_at IS NOT NULL AND supplement_requested_at IS NOT NULL
             THEN due_at + (supplement_completed_at - supplement_requested_at)
             ELSE due_at END                                                         AS effective_due
    FROM dossiers
    WHERE received_at >= $period_start AND received_at < $period_end
),
judged AS (
    SELECT unit_code, unit_name, tier, channel, fee_required, paid_online, digitized, reused_data,
        CASE WHEN coalesce(supplement_count, 0) > 1 THEN false
             WHEN end_at IS NOT NULL AND end_at <= $eval_end THEN end_at <= effective_due
             ELSE effective_due >= $eval_end END                                     AS on_time
    FROM received
),
totals AS (
    SELECT
        @level                                  AS level,
        unit_code, unit_name, tier,
        count(*)                                                  AS received,
        count(*) FILTER (WHERE on_time)                           AS on_time,
        count(*) FILTER (WHERE channel = 2)                       AS online,
        count(*) FILTER (WHERE fee_required)                      AS fee,
        count(*) FILTER (WHERE fee_required AND paid_online)      AS paid,
        count(*) FILTER (WHERE digitized)                         AS digitized,
        count(*) FILTER (WHERE reused_data)                       AS reused
    FROM judged
    @by_level
)
SELECT level, unit_code, unit_name, tier, '2.1' AS component, on_time AS numerator, received AS denominator FROM totals
UNION ALL SELECT level, unit_code, unit_name, tier, '3.3', online, received FROM totals
UNION ALL SELECT level, unit_code, unit_name, tier, '3.6', paid, fee FROM totals
UNION ALL SELECT level, unit_code, unit_name, tier, '4.2', digitized, received FROM totals
UNION ALL SELECT level, unit_code, unit_name, tier, '4.3', reused, received FROM totals
