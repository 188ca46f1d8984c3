-- One row per area (LA, region or England), quarter and age band: the population
-- the quarter's rates use and the mid-year it comes from. The DfE rule picks the
-- mid-year of the quarter's financial year; where that year is not published for
-- the area and band, the latest earlier year is used, and where there is no earlier
-- year either (5-16 and 0-25 are seeded for mid-2023 only; Cumberland and
-- Westmorland and Furness start in 2023) the earliest later year. Each row says
-- which year it used and whether that was a fallback.
with periods as (
    select * from {{ ref('int_periods') }}
),

population as (
    select * from {{ ref('ref_population') }}
),

candidates as (
    select
        population.geography_level,
        population.area_code,
        periods.period,
        population.age_band,
        periods.population_mid_year as intended_mid_year,
        population.mid_year,
        population.population,
        row_number() over (
            partition by population.geography_level, population.area_code, periods.period, population.age_band
            order by
                population.mid_year > periods.population_mid_year,
                abs(population.mid_year - periods.population_mid_year)
        ) as preference
    from periods
    cross join population
),

final as (
    select
        geography_level,
        area_code,
        period,
        age_band,
        cast(population as bigint) as population,
        cast(mid_year as integer) as population_mid_year,
        cast(intended_mid_year as integer) as intended_mid_year,
        mid_year <> intended_mid_year as is_fallback_year
    from candidates
    where preference = 1
)

select * from final
