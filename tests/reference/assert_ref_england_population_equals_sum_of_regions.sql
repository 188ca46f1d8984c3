-- Pins that England's population equals the sum of its 9 regions exactly, for
-- every mid-year and age band (true of both published files), and that England
-- has a row wherever the regions do.
with

population as (
    select * from {{ ref('ref_population') }}
),

region_totals as (
    select
        population.mid_year,
        population.age_band,
        cast(sum(population.population) as bigint) as region_population_sum,
        count(*) as regions_count
    from population
    where population.geography_level = 'region'
    group by population.mid_year, population.age_band
),

england as (
    select
        population.mid_year,
        population.age_band,
        population.population as england_population
    from population
    where population.geography_level = 'england'
),

final as (
    select
        england.england_population,
        region_totals.region_population_sum,
        region_totals.regions_count,
        coalesce(england.mid_year, region_totals.mid_year) as mid_year,
        coalesce(england.age_band, region_totals.age_band) as age_band
    from england
    full outer join region_totals
        on
            england.mid_year = region_totals.mid_year
            and england.age_band = region_totals.age_band
    where
        region_totals.regions_count is distinct from 9
        or england.england_population
        is distinct from region_totals.region_population_sum
)

select * from final
