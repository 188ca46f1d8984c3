-- One row per comparator group and member LA. Three kinds of group:
--   region                 : key = region code, members = the region's current LAs
--   statistical_neighbours : key = the subject LA, members = its 10 neighbours (DfE 2025 model)
--   england                : key = E92000001, members = every current LA
with local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
    where is_current
),

neighbours as (
    select * from {{ ref('ref_statistical_neighbours') }}
),

final as (
    select
        'region' as comparator_type,
        region_code as comparator_key,
        la_code as member_la_code
    from local_authorities

    union all

    select
        'statistical_neighbours' as comparator_type,
        la_code as comparator_key,
        neighbour_la_code as member_la_code
    from neighbours

    union all

    select
        'england' as comparator_type,
        'E92000001' as comparator_key,
        la_code as member_la_code
    from local_authorities
)

select * from final
