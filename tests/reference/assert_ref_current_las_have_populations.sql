-- Pins the denominators every rate needs: each current LA has a 0-17
-- population for mid-2024 and 5-16 and 0-25 populations for mid-2023 (the only
-- mid-year of those bands). Returns one row per current LA and missing
-- (mid-year, age band).
with

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

population as (
    select * from {{ ref('ref_population') }}
),

required_bands as (
    select
        bands.mid_year,
        bands.age_band
    from (
        values
        (2024, '0-17'),
        (2023, '5-16'),
        (2023, '0-25')
    ) as bands (mid_year, age_band)
),

required as (
    select
        local_authorities.la_code,
        local_authorities.la_name,
        required_bands.mid_year,
        required_bands.age_band
    from local_authorities
    cross join required_bands
    where local_authorities.is_current
),

final as (
    select required.*
    from required
    left join population
        on
            population.geography_level = 'la'
            and required.la_code = population.area_code
            and required.mid_year = population.mid_year
            and required.age_band = population.age_band
    where population.population is null
)

select * from final
