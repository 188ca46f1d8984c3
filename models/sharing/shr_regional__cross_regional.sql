-- What each region's view adds to its own LAs: the LA figures of the other regions that
-- are shared cross-regionally (the D2I dataset, released quarters, as released), which its
-- statistical-neighbour and England comparators, ranks and quartiles pool (SHARING.md
-- rule 5). Published into each region's folder beside its own output, so that every
-- comparator a region receives can be recomputed from the rows it holds.
{{ period_incremental() }}

with view_values as (
    select * from {{ ref('int_view_indicator_values') }}
    where visibility = 'cross_regional' and {{ in_build_scope('period') }}
),

recipients as (
    select * from {{ ref('int_sharing_recipients') }}
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

final as (
    select
        recipients.recipient_id,
        view_values.region_code,
        view_values.la_code,
        view_values.period,
        view_values.indicator_code,
        view_values.measure,
        {{ round_half_up('view_values.value', 'indicators.rounding_dp') }} as value,
        view_values.value_status,
        view_values.numerator,
        view_values.denominator,
        view_values.population,
        view_values.agreement_id
    from view_values
    inner join recipients on view_values.recipient_id = recipients.recipient_id
    inner join indicators
        on
            view_values.indicator_code = indicators.indicator_code
            and view_values.measure = indicators.measure
    where recipients.output_model = 'shr_regional__indicators'
)

select * from final
