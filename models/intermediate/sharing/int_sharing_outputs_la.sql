-- One row per LA-grain recipient, LA it reports on, quarter, indicator and measure: what
-- the recipient's output holds, shaped once for every LA-grain audience (the named outputs
-- and the generic one only select their rows). Figures from the recipient's own view
-- (int_view_benchmarks), rounded half-up to the indicator's decimal places
-- (RETURN_TEMPLATE.md section 3); the counts they are computed from (numerator, and
-- denominator or population) kept, so a recipient can recompute every comparator from
-- the LA rows it receives; LA comments and warnings only where the audience includes them
-- (the LA's own region, SHARING.md rule 10).
{{ period_incremental() }}

with benchmarks as (
    select * from {{ ref('int_view_benchmarks') }}
    where {{ in_build_scope('period') }}
),

recipients as (
    select * from {{ ref('int_sharing_recipients') }}
    where grain = 'la'
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

releases as (
    select * from {{ ref('int_quarter_release_status') }}
),

notes as (
    select * from {{ ref('int_indicator_notes') }}
),

final as (
    select
        benchmarks.recipient_id,
        recipients.audience,
        recipients.output_model,
        benchmarks.region_code,
        local_authorities.region_name,
        benchmarks.la_code,
        local_authorities.la_name,
        benchmarks.period,
        benchmarks.is_provisional,
        case when releases.is_released then releases.release_id end as release_id,
        case when releases.is_released then releases.released_on end as released_on,
        benchmarks.is_changed_since_release,
        benchmarks.indicator_code,
        indicators.indicator_name,
        indicators.item_set,
        benchmarks.measure,
        {{ round_half_up('benchmarks.value', 'indicators.rounding_dp') }} as value,
        benchmarks.value_status,
        benchmarks.numerator,
        benchmarks.denominator,
        benchmarks.population,
        benchmarks.population_mid_year,
        {{ round_half_up('benchmarks.region_value', 'indicators.rounding_dp') }} as region_value,
        benchmarks.region_contributing_las,
        benchmarks.region_member_las,
        -- no comparator at all (no member in the view gave the item) is the lowest coverage there is
        coalesce(benchmarks.is_region_low_coverage, true) as is_region_low_coverage,
        {{ round_half_up('benchmarks.neighbours_value', 'indicators.rounding_dp') }} as neighbours_value,
        benchmarks.neighbours_contributing_las,
        benchmarks.neighbours_member_las,
        coalesce(benchmarks.is_neighbours_low_coverage, true) as is_neighbours_low_coverage,
        {{ round_half_up('benchmarks.england_value', 'indicators.rounding_dp') }} as england_value,
        benchmarks.england_contributing_las,
        {{ round_half_up('benchmarks.england_population_coverage * 100', 1) }} as england_coverage_percent,
        benchmarks.rank_in_region,
        benchmarks.las_ranked_in_region,
        benchmarks.rank_among_neighbours,
        benchmarks.las_ranked_among_neighbours,
        benchmarks.rank_in_england,
        benchmarks.las_ranked_in_england,
        benchmarks.quartile_in_england,
        benchmarks.previous_quartile_in_england,
        benchmarks.band_in_england,
        benchmarks.previous_band_in_england,
        {{ round_half_up('benchmarks.previous_quarter_value', 'indicators.rounding_dp') }} as previous_quarter_value,
        {{ round_half_up('benchmarks.same_quarter_last_year_value', 'indicators.rounding_dp') }}
            as same_quarter_last_year_value,
        {{ round_half_up('benchmarks.change_on_previous_quarter', 'indicators.rounding_dp') }}
            as change_on_previous_quarter,
        {{ round_half_up('benchmarks.change_on_same_quarter_last_year', 'indicators.rounding_dp') }}
            as change_on_same_quarter_last_year,
        case when recipients.includes_comments then notes.la_comment end as la_comment,
        case when recipients.includes_comments then notes.warning_rule_ids end as warning_rule_ids,
        benchmarks.source_file,
        benchmarks.agreement_id,
        recipients.handling_marking
    from benchmarks
    inner join recipients on benchmarks.recipient_id = recipients.recipient_id
    inner join indicators
        on
            benchmarks.indicator_code = indicators.indicator_code
            and benchmarks.measure = indicators.measure
    inner join local_authorities on benchmarks.la_code = local_authorities.la_code
    inner join releases
        on
            benchmarks.region_code = releases.region_code
            and benchmarks.period = releases.period
    left join notes
        on
            benchmarks.file_path = notes.file_path
            and benchmarks.indicator_code = notes.indicator_code
            and indicators.base_measure = notes.measure
)

select * from final
