-- The members of every comparator a view needs, and what each gave: one row per view,
-- quarter, comparator group (region, an LA's statistical neighbours, England), member LA of
-- the group that quarter, indicator and measure the member's figure is in the view for,
-- with whether it contributes (its return gave the item: `calculated` or
-- `zero_denominator`) and its numerator, base (population or denominator) and 0-17
-- population. The second step of the one comparator engine: the groups and their members
-- come from int_view_comparator_groups, int_view_comparators adds these up, and `riia
-- explain` lists them ("which LAs a comparator pooled"). A view, so that only the rows
-- asked for are computed: a caller's filter on `period` reaches the scans of the groups
-- and of the figures, so that a quarterly build reads the quarters it recomputes, not the
-- whole history.
{{ config(materialized='view') }}

with members as (
    select * from {{ ref('int_view_comparator_groups') }}
),

final as (
    select
        members.recipient_id,
        -- the figure's quarter (the same as the member's): the column a caller filters on
        view_values.period,
        members.comparator_type,
        members.comparator_key,
        members.member_la_code,
        members.group_number,
        view_values.indicator_code,
        view_values.measure,
        view_values.value_status in ('calculated', 'zero_denominator') as is_contributing,
        view_values.numerator,
        view_values.base,
        members.population_0_17
    from members
    inner join {{ ref('int_view_indicator_values') }} as view_values
        on
            members.recipient_id = view_values.recipient_id
            and members.period = view_values.period
            and members.member_la_code = view_values.la_code
)

select * from final
