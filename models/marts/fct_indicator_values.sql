-- One row per LA, quarter, indicator and measure, for accepted returns only (the version
-- in use of each LA and quarter, with no `error` finding): the hub's view of the one
-- indicator model, 12-month measures included. Values are unrounded; each row carries
-- what it was computed from. A quarantined or missing return has no rows here: it is
-- never a zero. An item that an accepted return left blank (`not_collected`), marked `x`
-- (`not_available`) or did not send (`not_submitted`) has a row with an empty value and
-- that status; a 12-month measure without four quarters in, `incomplete_year`.
{{ period_incremental() }}

with view_values as (
    select * from {{ ref('int_view_indicator_values') }}
    where recipient_id = 'hub' and {{ in_build_scope('period') }}
),

return_status as (
    select * from {{ ref('int_return_status') }}
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

notes as (
    select * from {{ ref('int_indicator_notes') }}
),

final as (
    select
        view_values.la_code,
        view_values.period,
        view_values.region_code,
        view_values.indicator_code,
        view_values.measure,
        indicators.indicator_name,
        indicators.item_set,
        cast(view_values.value as double) as value,
        view_values.value_status,
        view_values.numerator_item,
        cast(view_values.numerator as double) as numerator,
        view_values.denominator_items,
        cast(view_values.denominator as double) as denominator,
        view_values.population_age_band,
        cast(view_values.population as bigint) as population,
        cast(view_values.population_mid_year as integer) as population_mid_year,
        view_values.is_fallback_population_year,
        return_status.return_status,
        notes.warning_rule_ids,
        view_values.source_file,
        view_values.file_path
    from view_values
    inner join return_status on view_values.file_path = return_status.file_path
    inner join indicators
        on
            view_values.indicator_code = indicators.indicator_code
            and view_values.measure = indicators.measure
    left join notes
        on
            view_values.file_path = notes.file_path
            and view_values.indicator_code = notes.indicator_code
            and indicators.base_measure = notes.measure
)

select * from final
