-- Pins the statistical neighbours: every LA has exactly 10 distinct neighbours
-- ranked 1 to 10, none of them itself, all from one model: the 2025 model for
-- the current LAs, the April 2021 file for the LAs that are no longer current
-- (909 Cumbria, 928 Northamptonshire, 835-837 Dorset county, Poole and
-- Bournemouth). Returns one row per LA that breaks this, or that has neighbours
-- without being in ref_local_authorities.
with

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

neighbours as (
    select * from {{ ref('ref_statistical_neighbours') }}
),

neighbour_counts as (
    select
        neighbours.la_code,
        count(*) as neighbour_count,
        count(distinct neighbours.neighbour_la_code) as distinct_neighbours,
        count(distinct neighbours.neighbour_rank) as distinct_ranks,
        min(neighbours.neighbour_rank) as min_rank,
        max(neighbours.neighbour_rank) as max_rank,
        count(*) filter (
            where neighbours.neighbour_la_code = neighbours.la_code
        ) as self_neighbours,
        count(distinct neighbours.sn_model) as models,
        min(neighbours.sn_model) as sn_model
    from neighbours
    group by neighbours.la_code
),

final as (
    select
        local_authorities.la_name,
        local_authorities.is_current,
        neighbour_counts.neighbour_count,
        neighbour_counts.distinct_neighbours,
        neighbour_counts.distinct_ranks,
        neighbour_counts.min_rank,
        neighbour_counts.max_rank,
        neighbour_counts.self_neighbours,
        neighbour_counts.models,
        neighbour_counts.sn_model,
        coalesce(
            local_authorities.la_code, neighbour_counts.la_code
        ) as la_code
    from local_authorities
    full outer join neighbour_counts
        on local_authorities.la_code = neighbour_counts.la_code
    where
        local_authorities.la_code is null
        or neighbour_counts.la_code is null
        or neighbour_counts.neighbour_count != 10
        or neighbour_counts.distinct_neighbours != 10
        or neighbour_counts.distinct_ranks != 10
        or neighbour_counts.min_rank != 1
        or neighbour_counts.max_rank != 10
        or neighbour_counts.self_neighbours > 0
        or neighbour_counts.models != 1
        or neighbour_counts.sn_model
        != case when local_authorities.is_current then '2025' else '2021' end
)

select * from final
