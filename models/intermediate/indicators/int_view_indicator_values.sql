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
with gate as (
    select * from {{ ref('int_sharing_gate') }}
),

computed as (
    select * from {{ ref('int_indicator_values_computed') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

twelve_month_measures as (
    select * from {{ ref('ref_indicators') }}
    where window_quarters = 4
),

quarterly as (
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

windows as (
    select
        latest.recipient_id,
        latest.la_code,
        latest.period,
        latest.indicator_code,
        measures.measure,
        measures.multiplier,
        count(earlier.period) as quarters_in_view,
        count(earlier.period) filter (where earlier.value_status = 'calculated') as quarters_calculated,
        sum(cast(earlier.numerator as decimal(38, 2))) as numerator_total,
        sum(cast(earlier.denominator as decimal(38, 2))) as denominator_total
    from quarterly as latest
    inner join twelve_month_measures as measures
        on
            latest.indicator_code = measures.indicator_code
            and latest.measure = measures.base_measure
    inner join periods as latest_period on latest.period = latest_period.period
    inner join periods as window_periods
        on window_periods.period_index between latest_period.period_index - 3 and latest_period.period_index
    left join quarterly as earlier
        on
            latest.recipient_id = earlier.recipient_id
            and latest.la_code = earlier.la_code
            and latest.indicator_code = earlier.indicator_code
            and latest.measure = earlier.measure
            and window_periods.period = earlier.period
    group by latest.recipient_id, latest.la_code, latest.period, latest.indicator_code, measures.measure, measures.multiplier
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
                then cast(windows.numerator_total as double) * windows.multiplier / cast(windows.denominator_total as double)
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
),

final as (
    select * from quarterly
    union all
    select * from twelve_month
)

select * from final
