-- One row per quarter, comparator group and member LA: the LAs each comparator of the
-- quarter pools, from the LAs that existed in that quarter (reorganised LAs under their
-- codes of the day: comparators of a period pool the LAs of that period).
--   region                 : key = region code, members = the region's LAs of the quarter
--   statistical_neighbours : key = the subject LA, members = its 10 DfE statistical
--                            neighbours that existed in the quarter (2025 model; the 2021
--                            model for LAs reorganised away before it)
--   england                : key = E92000001, members = every LA of the quarter
-- Which of these members a recipient may see is decided by the gate: the comparator
-- engine (int_view_comparators) pools only the members in the recipient's view.
with periods as (
    select * from {{ ref('int_periods') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

neighbours as (
    select * from {{ ref('ref_statistical_neighbours') }}
),

las_of_period as (
    select
        periods.period,
        local_authorities.la_code,
        local_authorities.region_code
    from periods
    inner join local_authorities
        on
            periods.period >= local_authorities.first_period
            and (local_authorities.last_period is null or periods.period <= local_authorities.last_period)
),

final as (
    select
        period,
        'region' as comparator_type,
        region_code as comparator_key,
        la_code as member_la_code
    from las_of_period

    union all

    select
        subjects.period,
        'statistical_neighbours' as comparator_type,
        subjects.la_code as comparator_key,
        members.la_code as member_la_code
    from las_of_period as subjects
    inner join neighbours on subjects.la_code = neighbours.la_code
    inner join las_of_period as members
        on
            neighbours.neighbour_la_code = members.la_code
            and subjects.period = members.period

    union all

    select
        period,
        'england' as comparator_type,
        'E92000001' as comparator_key,
        la_code as member_la_code
    from las_of_period
)

select * from final
