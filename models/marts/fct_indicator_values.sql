-- One row per LA, quarter, indicator and measure, for accepted returns only (the
-- latest version of each LA and quarter with no `error` finding). Values are
-- unrounded; each row carries what it was computed from. A quarantined or missing
-- return has no rows here: it is never a zero. An item that an accepted return left
-- blank (`not_collected`), marked `x` (`not_available`) or did not send
-- (`not_submitted`) has a row with an empty value and that status.
with return_status as (
    select * from {{ ref('int_return_status') }}
    where is_accepted
),

-- the version in use of each accepted return
computed as (
    select * from {{ ref('int_indicator_values_computed') }}
    where file_path in (select return_status.file_path from return_status)
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

findings as (
    select * from {{ ref('int_validation_findings') }}
    where severity = 'warning'
),

item_warnings as (
    select
        computed.file_path,
        computed.indicator_code,
        computed.measure,
        string_agg(distinct findings.rule_id, ', ' order by findings.rule_id) as warning_rule_ids
    from computed
    inner join findings
        on
            computed.file_path = findings.file_path
            and (
                computed.numerator_item = findings.item_code
                or list_contains(
                    string_split(replace(coalesce(computed.denominator_items, ''), ' ', ''), '+'),
                    findings.item_code
                )
            )
    group by computed.file_path, computed.indicator_code, computed.measure
),

final as (
    select
        computed.la_code,
        computed.period,
        computed.region_code,
        computed.indicator_code,
        computed.measure,
        indicators.indicator_name,
        indicators.item_set,
        cast(computed.value as double) as value,
        computed.value_status,
        computed.numerator_item,
        cast(computed.numerator as double) as numerator,
        computed.denominator_items,
        cast(computed.denominator as double) as denominator,
        computed.population_age_band,
        cast(computed.population as bigint) as population,
        cast(computed.population_mid_year as integer) as population_mid_year,
        computed.is_fallback_population_year,
        return_status.return_status,
        item_warnings.warning_rule_ids,
        computed.source_file,
        computed.file_path
    from computed
    inner join return_status
        on computed.file_path = return_status.file_path
    inner join indicators
        on
            computed.indicator_code = indicators.indicator_code
            and computed.measure = indicators.measure
    left join item_warnings
        on
            computed.file_path = item_warnings.file_path
            and computed.indicator_code = item_warnings.indicator_code
            and computed.measure = item_warnings.measure
)

select * from final
