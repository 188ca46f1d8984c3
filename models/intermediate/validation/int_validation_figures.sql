{#- one numeric column per item of the register, read from the seed when the model runs -#}
{%- set item_codes = [] -%}
{%- if execute and load_relation(ref('ref_items')) is not none -%}
    {%- set item_codes = run_query("select item_code from " ~ ref('ref_items') ~ " order by display_order").columns[0].values() -%}
{%- endif -%}
-- Validation input `return_figures` (rules L01-L08): one row per readable return file and
-- one column per item of the register holding the item's figure (its first line's value,
-- when that is a number), plus the total of each breakdown the register defines
-- (`ref_items.sums_to_item`: the referral sources, REF_SRC_TOTAL) when every part is given.
-- (item_lines feeds the per-item columns, which the linter, compiling without the seed, cannot see)
with files as (
    select * from {{ ref('int_return_files_versioned') }}
    where file_status = 'readable'
),

item_lines as (
    select * from {{ ref('int_validation_item_lines') }}
),

items as (
    select * from {{ ref('ref_items') }}
),

parts as (
    select
        item_lines.file_path,
        cast(sum(item_lines.number) as double) as parts_total,
        count(item_lines.number) as parts_given
    from item_lines
    inner join items on item_lines.item_code = items.item_code
    where items.sums_to_item = 'REFERRALS'
    group by item_lines.file_path
),

part_count as (
    select count(*) as parts_expected
    from items
    where sums_to_item = 'REFERRALS'
),

final as (
    select
        files.file_path,
        {%- for item_code in item_codes %}
        max(item_lines.number) filter (where item_lines.item_code = '{{ item_code }}') as "{{ item_code }}",
        {%- endfor %}
        case
            when any_value(parts.parts_given) = any_value(part_count.parts_expected) then any_value(parts.parts_total)
        end as "REF_SRC_TOTAL"  -- noqa: RF06
    from files
    cross join part_count
    left join item_lines on files.file_path = item_lines.file_path  -- noqa: ST11
    left join parts on files.file_path = parts.file_path
    group by files.file_path
)

select * from final
