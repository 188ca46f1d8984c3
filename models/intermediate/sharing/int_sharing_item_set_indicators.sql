-- One row per item set and indicator measure that may be shared under it: an indicator
-- is shared under an agreement only when every item it is computed from (numerator and
-- denominator items) is in the agreement's item set (SHARING.md rule 2). So the SE's
-- adoption measures reach DfE under `se_annex_a`, and EM's early-help items reach no one
-- outside the East Midlands, whose agreements name `all_em` only for its own region.
with item_sets as (
    select * from {{ ref('sharing_item_sets') }}
),

-- the items each indicator measure is computed from, numerator or denominator
indicator_items as (
    select distinct
        indicator_code,
        measure,
        item_code
    from {{ ref('int_indicator_items') }}
),

set_names as (
    select distinct item_set from item_sets
),

coverage as (
    select
        set_names.item_set,
        indicator_items.indicator_code,
        indicator_items.measure,
        count(*) as items_needed,
        count(item_sets.item_code) as items_in_set
    from set_names
    cross join indicator_items
    left join item_sets
        on
            set_names.item_set = item_sets.item_set
            and indicator_items.item_code = item_sets.item_code
    group by set_names.item_set, indicator_items.indicator_code, indicator_items.measure
),

final as (
    select
        item_set,
        indicator_code,
        measure
    from coverage
    where items_in_set = items_needed
)

select * from final
