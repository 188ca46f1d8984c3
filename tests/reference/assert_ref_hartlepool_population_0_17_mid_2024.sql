-- Pins one published figure end to end: Hartlepool (805), children aged 0-17,
-- mid-2024 = 21090 (ONS mid-year estimate as published by DfE). Returns a row
-- if the figure is missing or different (duplicates are caught by the seed's
-- unique_combination test).
with

population as (
    select * from {{ ref('ref_population') }}
),

expected as (
    select
        '805' as la_code,
        2024 as mid_year,
        '0-17' as age_band,
        21090 as expected_population
),

final as (
    select
        expected.*,
        population.population as actual_population
    from expected
    left join population
        on
            population.geography_level = 'la'
            and expected.la_code = population.area_code
            and expected.mid_year = population.mid_year
            and expected.age_band = population.age_band
    where population.population is distinct from expected.expected_population
)

select * from final
