-- One row per recipient's view (and the hub's), LA, quarter, indicator and measure: the
-- figure the gate lets the recipient see, from the one indicator model (the version of the
-- return it sees), with what it was computed from; plus the 12-month view of every flow
-- indicator (RETURN_TEMPLATE.md section 3: `rate_per_10k_12m` = the four quarters' flows
-- over the population of the latest quarter x 10,000, `percent_12m` = the four numerators
-- over the four denominators), computed from the same view's four consecutive quarters
-- and given only when all four are in it (`incomplete_year` otherwise: a quarter
-- quarantined, missing, not yet released to the recipient, or before the LA existed).
-- The input of the one comparator and rank engine. `visibility` says why a row is in the
-- view: `own` (the hub's, or a region's own LAs), `shared` (an outside audience's) or
-- `cross_regional` (other regions' LAs a region compares with).
{{ period_incremental(chunked=true) }}

with periods as (
    select * from {{ ref('int_periods') }}
),

-- the quarters this build recomputes, and the three before each, which their 12-month
-- measures read (every quarter on a full build)
window_periods as (
    select distinct periods.period
    from periods
    inner join periods as recomputed
        on
            periods.period_index between recomputed.period_index - 3 and recomputed.period_index
            and {{ in_build_scope('recomputed.period') }}
),

gate as (
    select * from {{ ref('int_sharing_gate') }}
    where period in (select window_periods.period from window_periods)
),

computed as (
    select * from {{ ref('int_indicator_values_computed') }}
),

twelve_month_measures as (
    select * from {{ ref('ref_indicators') }}
    where window_quarters = 4
),

-- the quarterly measures the 12-month measures are built from
base_measures as (
    select distinct
        indicator_code,
        base_measure
    from twelve_month_measures
),

quarterly_window as (
    select
        gate.recipient_id,
        gate.audience,
        gate.visibility,
        gate.la_code,
        gate.period,
        computed.region_code,
        gate.indicator_code,
        gate.measure,
        computed.value,
        computed.value_status,
        computed.numerator_item,
        computed.numerator,
        computed.denominator_items,
        computed.denominator,
        computed.population_age_band,
        computed.population,
        computed.population_mid_year,
        computed.is_fallback_population_year,
        coalesce(computed.population, computed.denominator) as base,
        gate.file_path,
        computed.source_file,
        gate.agreement_id,
        gate.is_provisional,
        gate.is_changed_since_release
    from gate
    inner join computed
        on
            gate.file_path = computed.file_path
            and gate.indicator_code = computed.indicator_code
            and gate.measure = computed.measure
),

quarterly as (
    select * from quarterly_window
    where {{ in_build_scope('period') }}
),

-- the base-measure rows the 12-month measures add up, with the quarter's position
window_rows as (
    select
        quarterly_window.recipient_id,
        quarterly_window.la_code,
        quarterly_window.period,
        periods.period_index,
        quarterly_window.indicator_code,
        quarterly_window.measure,
        quarterly_window.value_status,
        quarterly_window.numerator,
        quarterly_window.denominator
    from quarterly_window
    inner join periods on quarterly_window.period = periods.period
    inner join base_measures
        on
            quarterly_window.indicator_code = base_measures.indicator_code
            and quarterly_window.measure = base_measures.base_measure
),

-- each quarter with the three before it: a window over the quarters' positions, so that a
-- quarter missing from the view counts as missing, not as the one before
rolling as (
    select
        recipient_id,
        la_code,
        period,
        indicator_code,
        measure as base_measure,
        count(*) over four_quarters as quarters_in_view,
        count(*) filter (where value_status = 'calculated') over four_quarters as quarters_calculated,
        sum(cast(numerator as decimal(38, 2))) over four_quarters as numerator_total,
        sum(cast(denominator as decimal(38, 2))) over four_quarters as denominator_total
    from window_rows
    window four_quarters as (
        partition by recipient_id, la_code, indicator_code, measure
        order by period_index range between 3 preceding and current row
    )
),

windows as (
    select
        rolling.recipient_id,
        rolling.la_code,
        rolling.period,
        rolling.indicator_code,
        measures.measure,
        measures.multiplier,
        rolling.quarters_in_view,
        rolling.quarters_calculated,
        rolling.numerator_total,
        rolling.denominator_total
    from rolling
    inner join twelve_month_measures as measures
        on
            rolling.indicator_code = measures.indicator_code
            and rolling.base_measure = measures.base_measure
    where {{ in_build_scope('rolling.period') }}
),

twelve_month as (
    select
        quarterly.recipient_id,
        quarterly.audience,
        quarterly.visibility,
        quarterly.la_code,
        quarterly.period,
        quarterly.region_code,
        quarterly.indicator_code,
        windows.measure,
        case
            when windows.quarters_calculated < 4 then null
            when quarterly.population_age_band is not null
                then cast(windows.numerator_total as double) * windows.multiplier / quarterly.population
            when windows.denominator_total > 0
                then cast(windows.numerator_total as double) * windows.multiplier
                    / cast(windows.denominator_total as double)
        end as value,
        case
            when windows.quarters_calculated < 4 then 'incomplete_year'
            when quarterly.population_age_band is null and windows.denominator_total = 0 then 'zero_denominator'
            else 'calculated'
        end as value_status,
        quarterly.numerator_item,
        case when windows.quarters_calculated = 4 then cast(windows.numerator_total as double) end as numerator,
        quarterly.denominator_items,
        case
            when windows.quarters_calculated = 4 and quarterly.population_age_band is null
                then cast(windows.denominator_total as double)
        end as denominator,
        quarterly.population_age_band,
        quarterly.population,
        quarterly.population_mid_year,
        quarterly.is_fallback_population_year,
        case
            when windows.quarters_calculated < 4 then null
            when quarterly.population_age_band is not null then cast(quarterly.population as double)
            else cast(windows.denominator_total as double)
        end as base,
        quarterly.file_path,
        quarterly.source_file,
        quarterly.agreement_id,
        quarterly.is_provisional,
        quarterly.is_changed_since_release
    from quarterly
    inner join windows
        on
            quarterly.recipient_id = windows.recipient_id
            and quarterly.la_code = windows.la_code
            and quarterly.period = windows.period
            and quarterly.indicator_code = windows.indicator_code
    inner join twelve_month_measures
        on
            windows.indicator_code = twelve_month_measures.indicator_code
            and windows.measure = twelve_month_measures.measure
            and quarterly.measure = twelve_month_measures.base_measure
    -- a cross-regional LA's incomplete year pools nowhere: only the LAs a region reports on keep it
    where quarterly.visibility <> 'cross_regional' or windows.quarters_calculated = 4
),

final as (
    select * from quarterly
    union all
    select * from twelve_month
)

select * from final
