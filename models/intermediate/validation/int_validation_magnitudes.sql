-- Validation input `item_magnitudes` (rule L09): one row per readable return file and
-- count item whose figure is a number, beside the number of children and young people
-- aged 0-25 living in the file name's LA that quarter (ONS, int_population_by_period):
-- no count of children, cases or events can exceed it - a figure that does is a pasted
-- reference number, a date or a total from another sheet (a 15-digit "count" would make
-- England's figure about 10^15). Day totals (`value_type` days: A1_DAYS, A2_DAYS) and FTE
-- figures are not counts of people and are left out.
with item_lines as (
    select * from {{ ref('int_validation_item_lines') }}
    where number is not null
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
    where file_status = 'readable' and has_valid_file_name
),

items as (
    select * from {{ ref('ref_items') }}
    where value_type = 'count'
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

population as (
    select * from {{ ref('int_population_by_period') }}
    where geography_level = 'la' and age_band = '0-25'
),

final as (
    select
        item_lines.file_path,
        item_lines.item_code,
        item_lines.number,
        local_authorities.la_name,
        population.population as population_0_25,
        population.population_mid_year
    from item_lines
    inner join files on item_lines.file_path = files.file_path
    inner join items on item_lines.item_code = items.item_code
    inner join local_authorities on files.file_name_la_code = local_authorities.la_code
    inner join population
        on
            files.file_name_la_code = population.area_code
            and files.file_name_period = population.period
)

select * from final
