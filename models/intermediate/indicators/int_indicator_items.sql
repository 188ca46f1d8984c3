-- One row per indicator measure and item it is computed from: its numerator item and each
-- item of its denominator (`ref_indicators.denominator_items`: an item, or items joined by
-- `+`, whose sum is the denominator). The one place the register's denominators are split
-- into items: the computation sums them (int_indicator_values_computed), a figure's notes
-- gather the findings and comments on them (int_indicator_notes), an agreement shares an
-- indicator only when its item set holds every one (int_sharing_item_set_indicators), and
-- `riia explain` lists their lines.
with indicators as (
    select * from {{ ref('ref_indicators') }}
),

numerators as (
    select
        indicator_code,
        measure,
        'numerator' as item_role,
        numerator_item as item_code
    from indicators
),

denominators as (
    select
        indicators.indicator_code,
        indicators.measure,
        'denominator' as item_role,
        trim(parts.item_code) as item_code
    from indicators
    cross join unnest(string_split(indicators.denominator_items, '+')) as parts (item_code)
    where indicators.denominator_items is not null
),

final as (
    select * from numerators
    union all
    select * from denominators
)

select * from final
