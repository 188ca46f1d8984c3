{#-
    indicator_comparators(indicator_values, comparator_groups):
    returns a SELECT of comparator values, one row per comparator group, quarter,
    indicator and measure, computed as RETURN_TEMPLATE.md section 3 requires: the sum
    of the members' numerators over the sum of their populations (rates) or
    denominators (percentages, averages), never a mean of LA values. Only members
    that submitted the item that quarter (value_status `calculated` or
    `zero_denominator`) count; the row says how many did and what share of the
    group's 0-17 population they hold.

    indicator_values  : relation with la_code, period, indicator_code, measure,
                        value_status, numerator, denominator, population
    comparator_groups : relation with comparator_type, comparator_key, member_la_code
    Coverage uses the LAs' 0-17 populations from int_population_by_period.
-#}
{% macro indicator_comparators(indicator_values, comparator_groups) %}
    with population_0_17 as (
        select
            area_code as la_code,
            period,
            population
        from {{ ref('int_population_by_period') }}
        where geography_level = 'la' and age_band = '0-17'
    ),

    contributing as (
        select
            la_code,
            period,
            indicator_code,
            measure,
            numerator,
            coalesce(population, denominator) as base
        from {{ indicator_values }}
        where value_status in ('calculated', 'zero_denominator')
    ),

    group_population as (
        select
            groups.comparator_type,
            groups.comparator_key,
            pop.period,
            cast(count(*) as integer) as member_las,
            cast(sum(pop.population) as bigint) as member_population_0_17
        from {{ comparator_groups }} as groups
        inner join population_0_17 as pop on groups.member_la_code = pop.la_code
        group by groups.comparator_type, groups.comparator_key, pop.period
    ),

    sums as (
        select
            groups.comparator_type,
            groups.comparator_key,
            contributing.period,
            contributing.indicator_code,
            contributing.measure,
            -- summed as DECIMAL: exact, so the result never depends on the order in
            -- which DuckDB's parallel aggregation adds the rows (builds are reproducible)
            cast(sum(cast(contributing.numerator as decimal(38, 2))) as double) as numerator_total,
            cast(sum(cast(contributing.base as decimal(38, 2))) as double) as base_total,
            cast(count(*) as integer) as contributing_las,
            cast(sum(pop.population) as bigint) as contributing_population_0_17
        from {{ comparator_groups }} as groups
        inner join contributing on groups.member_la_code = contributing.la_code
        left join population_0_17 as pop
            on
                contributing.la_code = pop.la_code
                and contributing.period = pop.period
        group by
            groups.comparator_type,
            groups.comparator_key,
            contributing.period,
            contributing.indicator_code,
            contributing.measure
    )

    select
        sums.comparator_type,
        sums.comparator_key,
        sums.period,
        sums.indicator_code,
        sums.measure,
        case
            when sums.measure = 'count' then sums.numerator_total
            when sums.base_total > 0 then sums.numerator_total * indicators.multiplier / sums.base_total
        end as value,
        sums.numerator_total,
        case when sums.measure <> 'count' then sums.base_total end as denominator_total,
        sums.contributing_las,
        group_population.member_las,
        sums.contributing_population_0_17,
        group_population.member_population_0_17,
        cast(sums.contributing_population_0_17 as double)
        / nullif(group_population.member_population_0_17, 0) as population_coverage
    from sums
    inner join {{ ref('ref_indicators') }} as indicators
        on
            sums.indicator_code = indicators.indicator_code
            and sums.measure = indicators.measure
    left join group_population
        on
            sums.comparator_type = group_population.comparator_type
            and sums.comparator_key = group_population.comparator_key
            and sums.period = group_population.period
{% endmacro %}
