-- Validation input `rate_checks` (rules P02, P03): one row per readable return file (every
-- version) and rate per 10,000 that applies to its LA, from the one indicator model
-- (int_indicator_values_computed), with its ratio to the LA's rate last quarter (the
-- latest version received for that quarter) and how many interquartile ranges it lies
-- outside England's middle half that quarter (the latest version of every LA's return;
-- empty when fewer LAs than `ref_rule_parameters` P03 minimum_las make the range, or the
-- range has no width). Quartiles are interpolated linearly (quantile_cont).
with returns as (
    select * from {{ ref('int_validation_comparable_returns') }}
),

indicator_values as (
    select * from {{ ref('int_indicator_values_computed') }}
    where measure = 'rate_per_10k' and value is not null
),

indicators as (
    select * from {{ ref('ref_indicators') }}
    where measure = 'rate_per_10k'
),

item_lines as (
    select * from {{ ref('int_validation_item_lines') }}
),

minimum_las as (
    select value as minimum_las
    from {{ ref('ref_rule_parameters') }}
    where rule_id = 'P03' and parameter = 'minimum_las'
),

rates as (
    select
        returns.file_path,
        returns.file_name_la_code as la_code,
        returns.file_name_period as period,
        returns.previous_period,
        returns.is_latest_version,
        indicator_values.indicator_code as item_code,
        indicator_values.population_age_band as age_band,
        indicator_values.value as rate
    from returns
    inner join indicator_values on returns.file_path = indicator_values.file_path
),

latest_rates as (
    select * from rates
    where is_latest_version
),

england as (
    select
        period,
        item_code,
        quantile_cont(rate, 0.25) as england_q1,
        quantile_cont(rate, 0.75) as england_q3,
        count(*) as england_la_count
    from latest_rates
    group by period, item_code
),

compared as (
    select
        rates.*,
        previous.rate as previous_rate,
        round(rates.rate / nullif(previous.rate, 0), 9) as ratio_to_previous_quarter,
        england.england_q1,
        england.england_q3,
        england.england_la_count,
        greatest(england.england_q1 - rates.rate, 0) + greatest(rates.rate - england.england_q3, 0) as outside_by,
        case
            when england.england_q3 > england.england_q1 and england.england_la_count >= minimum_las.minimum_las
                then england.england_q3 - england.england_q1
        end as usable_iqr
    from rates
    cross join minimum_las
    left join latest_rates as previous
        on
            rates.la_code = previous.la_code
            and rates.previous_period = previous.period
            and rates.item_code = previous.item_code
    left join england
        on
            rates.period = england.period
            and rates.item_code = england.item_code
),

final as (
    select
        compared.file_path,
        compared.item_code,
        indicators.indicator_name,
        compared.age_band,
        item_lines.value_as_written,
        compared.rate,
        printf('%.1f', compared.rate) as rate_shown,
        compared.previous_period,
        compared.previous_rate,
        printf('%.1f', compared.previous_rate) as previous_rate_shown,
        compared.ratio_to_previous_quarter,
        -- +62%; one decimal where a whole percent would hide a breach (-50.4%)
        case
            when printf('%+.0f%%', (compared.ratio_to_previous_quarter - 1) * 100) in ('+50%', '-50%')
                then printf('%+.1f%%', (compared.ratio_to_previous_quarter - 1) * 100)
            else printf('%+.0f%%', (compared.ratio_to_previous_quarter - 1) * 100)
        end as change_shown,
        compared.england_q1,
        compared.england_q3,
        printf('%.1f', compared.england_q1) as england_q1_shown,
        printf('%.1f', compared.england_q3) as england_q3_shown,
        compared.england_la_count,
        round(compared.outside_by / compared.usable_iqr, 9) as iqr_distance,
        printf('%.1f', round(compared.outside_by / compared.usable_iqr, 9)) as iqr_distance_shown,
        case when compared.england_q1 - compared.rate > 0 then 'below' else 'above' end as direction
    from compared
    inner join indicators on compared.item_code = indicators.indicator_code
    left join item_lines
        on
            compared.file_path = item_lines.file_path
            and compared.item_code = item_lines.item_code
)

select * from final
