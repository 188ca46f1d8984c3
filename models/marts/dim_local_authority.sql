-- One row per local authority code that has existed since 2012 (current and
-- reorganised away), with its region, ONS code, population and neighbours.
with local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

regions as (
    select * from {{ ref('ref_regions') }}
),

latest_population as (
    select
        area_code as la_code,
        arg_max(population, mid_year) as population_0_17,
        max(mid_year) as population_0_17_mid_year
    from {{ ref('ref_population') }}
    where geography_level = 'la' and age_band = '0-17'
    group by area_code
),

neighbour_counts as (
    select
        la_code,
        count(*) as statistical_neighbour_count
    from {{ ref('ref_statistical_neighbours') }}
    group by la_code
),

final as (
    select
        local_authorities.la_code,
        local_authorities.la_name,
        local_authorities.ons_code,
        local_authorities.region_code,
        local_authorities.region_name,
        regions.region_short_name,
        local_authorities.london_subregion,
        local_authorities.is_current,
        local_authorities.first_mid_year,
        local_authorities.last_mid_year,
        local_authorities.successor_la_codes,
        cast(latest_population.population_0_17 as bigint) as population_0_17,
        cast(latest_population.population_0_17_mid_year as integer) as population_0_17_mid_year,
        cast(coalesce(neighbour_counts.statistical_neighbour_count, 0) as integer) as statistical_neighbour_count
    from local_authorities
    inner join regions on local_authorities.region_code = regions.region_code
    left join latest_population on local_authorities.la_code = latest_population.la_code
    left join neighbour_counts on local_authorities.la_code = neighbour_counts.la_code
)

select * from final
