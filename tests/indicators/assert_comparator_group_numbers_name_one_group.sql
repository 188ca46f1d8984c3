-- int_view_comparators adds each quarter's member figures up by group number and takes the
-- group's keys back from int_view_comparator_groups: within a quarter, a number must name
-- one group (view, type, key) and a group must have one number. Returns the quarters and
-- numbers where that fails.
with groups as (
    select distinct
        period,
        group_number,
        recipient_id,
        comparator_type,
        comparator_key
    from {{ ref('int_view_comparator_groups') }}
),

numbers_with_two_groups as (
    select
        period,
        group_number
    from groups
    group by period, group_number
    having count(*) > 1
),

groups_with_two_numbers as (
    select
        period,
        min(group_number) as group_number
    from groups
    group by period, recipient_id, comparator_type, comparator_key
    having count(*) > 1
)

select * from numbers_with_two_groups
union all
select * from groups_with_two_numbers
