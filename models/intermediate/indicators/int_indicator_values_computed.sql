-- One row per readable return file (every version of every LA and quarter), indicator
-- and measure, with the unrounded value and what it was computed from (RETURN_TEMPLATE.md
-- section 3). The one place an indicator's value is computed: the plausibility rules
-- (int_validation_rates) read every version's rates from here, and fct_indicator_values
-- keeps the version in use of each accepted return.
--   count         = the numerator item's value
--   rate_per_10k  = numerator / population of the age band x 10,000 (not annualised)
--   percent       = numerator / sum of the denominator items x 100
--   average_days  = total days / number of children
-- A zero or missing denominator gives no value (value_status says why), never an
-- error and never a zero. Regional indicators appear only for LAs of the region
-- that collects the item. Validation has not gated these rows yet: the marts take
-- them only for accepted returns.
{{ period_incremental() }}

with returns as (
    select
        file_path,
        source_file,
        file_name_la_code as la_code,
        file_name_period as period,
        file_version,
        is_latest_version
    from {{ ref('int_return_files_versioned') }}
    where file_status = 'readable' and has_valid_file_name and {{ in_build_scope('file_name_period') }}
),

typed_values as (
    select * from {{ ref('int_return_values_typed') }}
),

indicators as (
    select * from {{ ref('ref_indicators') }}
    where window_quarters = 1
),

-- the items whose sum is each measure's denominator
denominators as (
    select * from {{ ref('int_indicator_items') }}
    where item_role = 'denominator'
),

items as (
    select * from {{ ref('ref_items') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

population as (
    select * from {{ ref('int_population_by_period') }}
    where geography_level = 'la'
),

-- a duplicated item (rule T06, which quarantines the return) counts once: its first line
item_values as (
    select
        file_path,
        item_code,
        arg_min(value_status, line_number) as value_status,
        arg_min(value_number, line_number) as value_number
    from typed_values
    group by file_path, item_code
),

applicable as (
    select
        returns.la_code,
        returns.period,
        returns.file_path,
        returns.source_file,
        returns.file_version,
        returns.is_latest_version,
        local_authorities.region_code,
        indicators.indicator_code,
        indicators.measure,
        indicators.numerator_item,
        indicators.denominator_items,
        indicators.population_age_band,
        indicators.multiplier
    from returns
    inner join local_authorities on returns.la_code = local_authorities.la_code
    cross join indicators
    inner join items on indicators.numerator_item = items.item_code
    where
        (items.collecting_region_code is null or items.collecting_region_code = local_authorities.region_code)
        -- only items the register collects in the return's quarter (RETURN_TEMPLATE.md 1a)
        and returns.period >= items.first_period
        and (items.last_period is null or returns.period <= items.last_period)
),

denominator_parts as (
    select
        applicable.file_path,
        applicable.indicator_code,
        applicable.measure,
        cast(sum(item_values.value_number) as double) as denominator,
        count(*) as parts_expected,
        count(*) filter (where item_values.value_status = 'number') as parts_numeric
    from applicable
    inner join denominators
        on
            applicable.indicator_code = denominators.indicator_code
            and applicable.measure = denominators.measure
    left join item_values
        on
            applicable.file_path = item_values.file_path
            and denominators.item_code = item_values.item_code
    group by applicable.file_path, applicable.indicator_code, applicable.measure
),

joined as (
    select
        applicable.*,
        coalesce(numerator.value_status, 'not_submitted') as numerator_status,
        cast(numerator.value_number as double) as numerator,
        denominator_parts.denominator,
        denominator_parts.parts_expected,
        denominator_parts.parts_numeric,
        population.population,
        population.population_mid_year,
        population.is_fallback_year
    from applicable
    left join item_values as numerator
        on
            applicable.file_path = numerator.file_path
            and applicable.numerator_item = numerator.item_code
    left join denominator_parts
        on
            applicable.file_path = denominator_parts.file_path
            and applicable.indicator_code = denominator_parts.indicator_code
            and applicable.measure = denominator_parts.measure
    left join population
        on
            applicable.la_code = population.area_code
            and applicable.period = population.period
            and applicable.population_age_band = population.age_band
),

statused as (
    select
        *,
        case
            when numerator_status = 'blank' then 'not_collected'
            when numerator_status <> 'number' then numerator_status
            when measure = 'count' then 'calculated'
            when population_age_band is not null and population is null then 'no_population'
            when population_age_band is not null and population = 0 then 'zero_denominator'
            when population_age_band is not null then 'calculated'
            when parts_numeric < parts_expected then 'denominator_missing'
            when denominator = 0 then 'zero_denominator'
            else 'calculated'
        end as value_status
    from joined
),

final as (
    select
        la_code,
        period,
        region_code,
        indicator_code,
        measure,
        case
            when value_status <> 'calculated' then null
            when measure = 'count' then numerator
            when population_age_band is not null then numerator * multiplier / population
            else numerator * multiplier / denominator
        end as value,
        value_status,
        numerator_item,
        numerator,
        denominator_items,
        case when population_age_band is null then denominator end as denominator,
        population_age_band,
        case when population_age_band is not null then population end as population,
        case when population_age_band is not null then population_mid_year end as population_mid_year,
        case when population_age_band is not null then is_fallback_year end as is_fallback_population_year,
        file_path,
        source_file,
        file_version,
        is_latest_version
    from statused
)

select * from final
