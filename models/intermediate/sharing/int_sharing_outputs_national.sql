-- One row per national-grain recipient (ADCS, and any agreed organisation given the
-- national picture), quarter, indicator and measure that may be published: England's
-- value from the LAs of regions that agreed to share with it (released quarters, as
-- released, no LA exception), with how many LAs and what share of England's 0-17
-- population it covers, and an England estimate scaled up by that share for counts (the
-- ADCS Safeguarding Pressures approach; rates and percentages are their own estimate). No
-- LA or region key. Aggregates int_sharing_disclosure withholds are left out.
{{ period_incremental() }}

with comparators as (
    select * from {{ ref('int_view_comparators') }}
    where comparator_type = 'england' and {{ in_build_scope('period') }}
),

recipients as (
    select * from {{ ref('int_sharing_recipients') }}
    where grain = 'national'
),

disclosure as (
    select * from {{ ref('int_sharing_disclosure') }}
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

final as (
    select
        comparators.recipient_id,
        recipients.audience,
        recipients.output_model,
        comparators.period,
        comparators.indicator_code,
        indicators.indicator_name,
        comparators.measure,
        {{ round_half_up('comparators.value', 'indicators.rounding_dp') }} as value,
        comparators.contributing_las,
        comparators.member_las as england_las,
        {{ round_half_up('comparators.population_coverage * 100', 1) }} as population_coverage_percent,
        case
            when comparators.measure = 'count'
                then
                    {{ round_half_up('comparators.value / comparators.population_coverage', 'indicators.rounding_dp') }}
            else {{ round_half_up('comparators.value', 'indicators.rounding_dp') }}
        end as england_estimate,
        recipients.handling_marking
    from comparators
    inner join recipients on comparators.recipient_id = recipients.recipient_id
    inner join indicators
        on
            comparators.indicator_code = indicators.indicator_code
            and comparators.measure = indicators.measure
    inner join disclosure
        on
            comparators.recipient_id = disclosure.recipient_id
            and comparators.period = disclosure.period
            and comparators.indicator_code = disclosure.indicator_code
    where not disclosure.is_withheld
)

select * from final
