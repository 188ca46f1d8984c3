-- Pins that each region's population equals the sum of its LAs' populations
-- exactly (no tolerance), for every mid-year and age band in which every LA of
-- the region that existed that year (first_mid_year to last_mid_year) has a
-- figure. This holds exactly in the published data (0-17 for mid-2012 to
-- mid-2024, 5-16 and 0-25 for mid-2023). The only region-years it cannot check
-- are South West mid-2012 to mid-2018, where DfE suppresses ('x') Bournemouth,
-- Poole and Dorset county. A region missing LA figures for 0-17 mid-2024 (the
-- latest year) is itself a failure, so the latest year is always checked.
with

population as (
    select * from {{ ref('ref_population') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

region_population as (
    select
        population.area_code as region_code,
        population.mid_year,
        population.age_band,
        population.population as region_population
    from population
    where population.geography_level = 'region'
),

la_years as (
    select
        local_authorities.la_code,
        local_authorities.region_code,
        region_population.mid_year,
        region_population.age_band
    from local_authorities
    inner join region_population
        on
            local_authorities.region_code = region_population.region_code
            and region_population.mid_year between
            local_authorities.first_mid_year and local_authorities.last_mid_year
),

la_totals as (
    select
        la_years.region_code,
        la_years.mid_year,
        la_years.age_band,
        cast(sum(population.population) as bigint) as la_population_sum,
        count(*) as las_existing,
        count(population.population) as las_with_population
    from la_years
    left join population
        on
            population.geography_level = 'la'
            and la_years.la_code = population.area_code
            and la_years.mid_year = population.mid_year
            and la_years.age_band = population.age_band
    group by la_years.region_code, la_years.mid_year, la_years.age_band
),

final as (
    select
        region_population.region_code,
        region_population.mid_year,
        region_population.age_band,
        region_population.region_population,
        la_totals.la_population_sum,
        la_totals.las_existing,
        la_totals.las_with_population
    from region_population
    left join la_totals
        on
            region_population.region_code = la_totals.region_code
            and region_population.mid_year = la_totals.mid_year
            and region_population.age_band = la_totals.age_band
    where
        la_totals.region_code is null
        or (
            la_totals.las_with_population = la_totals.las_existing
            and la_totals.la_population_sum
            != region_population.region_population
        )
        or (
            region_population.mid_year = 2024
            and region_population.age_band = '0-17'
            and la_totals.las_with_population < la_totals.las_existing
        )
)

select * from final
