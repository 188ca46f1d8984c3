-- One row per national-grain recipient, quarter and indicator: whether its aggregate may
-- be published (SHARING.md rules 6 and 7). An aggregate is withheld when
--   * fewer LAs contribute than `adcs_min_las` (default 10): no LA may be identifiable; or
--   * an organisation that receives it (its audience's organisation, or the organisation
--     that facilitates it: Data to Insight facilitates ADCS's share) could recover what it
--     may not see by differencing it with the LA figures it receives individually: the
--     contributing LAs it does not see number fewer than `differencing_min_las` (default
--     3), or all belong to one region (a region's total would be recovered).
-- Checked per indicator across all its measures (a rate and its coverage give the count).
-- The manifest of the recipient names every aggregate withheld and why.
{{ period_incremental() }}

with recipients as (
    select * from {{ ref('int_sharing_recipients') }}
),

view_values as (
    select * from {{ ref('int_view_indicator_values') }}
    where value_status in ('calculated', 'zero_denominator') and {{ in_build_scope('period') }}
),

national as (
    select * from recipients
    where grain = 'national'
),

-- which recipients' outputs each organisation receives
receives as (
    select
        coalesce(case when region_code is not null then recipient_id end, organisation) as organisation_id,
        recipient_id,
        grain
    from recipients
    union
    select
        facilitated_by as organisation_id,
        recipient_id,
        grain
    from recipients
    where facilitated_by is not null
),

-- the LA figures each organisation sees one by one
seen_individually as (
    select distinct
        receives.organisation_id,
        view_values.period,
        view_values.indicator_code,
        view_values.measure,
        view_values.la_code
    from receives
    inner join view_values on receives.recipient_id = view_values.recipient_id
    where receives.grain = 'la'
),

contributors as (
    select view_values.*
    from view_values
    inner join national on view_values.recipient_id = national.recipient_id
),

per_organisation as (
    select
        contributors.recipient_id,
        receives.organisation_id,
        contributors.period,
        contributors.indicator_code,
        contributors.measure,
        count(*) as contributing_las,
        count(*) filter (where seen_individually.la_code is null) as unseen_las,
        count(distinct contributors.region_code) filter (where seen_individually.la_code is null) as unseen_regions
    from contributors
    inner join receives on contributors.recipient_id = receives.recipient_id
    left join seen_individually
        on
            receives.organisation_id = seen_individually.organisation_id
            and contributors.period = seen_individually.period
            and contributors.indicator_code = seen_individually.indicator_code
            and contributors.measure = seen_individually.measure
            and contributors.la_code = seen_individually.la_code
    group by
        contributors.recipient_id,
        receives.organisation_id,
        contributors.period,
        contributors.indicator_code,
        contributors.measure
),

judged as (
    select
        *,
        contributing_las < {{ var('adcs_min_las', 10) }} as is_too_few,
        unseen_las > 0
        and (unseen_las < {{ var('differencing_min_las', 3) }} or unseen_regions = 1) as is_differencing_risk
    from per_organisation
),

final as (
    select
        recipient_id,
        period,
        indicator_code,
        cast(min(contributing_las) as integer) as contributing_las,
        bool_or(is_too_few) or bool_or(is_differencing_risk) as is_withheld,
        case
            when bool_or(is_too_few)
                then 'fewer than {{ var("adcs_min_las", 10) }} LAs contribute (' || min(contributing_las) || ')'
            when bool_or(is_differencing_risk)
                then
                    string_agg(
                        distinct organisation_id || ' could recover ' || unseen_las || ' LA(s) it does not see'
                        || case when unseen_regions = 1 then ' (all in one region)' else '' end
                        || ' by differencing with the LA figures it receives',
                        '; '
                    ) filter (where is_differencing_risk)
        end as withheld_reason
    from judged
    group by recipient_id, period, indicator_code
)

select * from final
