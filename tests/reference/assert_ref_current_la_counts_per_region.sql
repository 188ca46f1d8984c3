-- Pins the count of current local authorities (present in mid-2024) per region
-- to the published 153: London 33, North West 24, South East 19, Yorkshire and
-- The Humber 15, South West 15, West Midlands 14, North East 12, East of
-- England 11, East Midlands 10. Returns one row per region whose count differs
-- (a region with no current LA counts 0).
with

regions as (
    select * from {{ ref('ref_regions') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

expected as (
    select
        expected_counts.region_code,
        expected_counts.expected_la_count
    from (
        values
        ('E12000001', 12),
        ('E12000002', 24),
        ('E12000003', 15),
        ('E12000004', 10),
        ('E12000005', 14),
        ('E12000006', 11),
        ('E12000007', 33),
        ('E12000008', 19),
        ('E12000009', 15)
    ) as expected_counts (region_code, expected_la_count)
),

actual as (
    select
        regions.region_code,
        regions.region_name,
        count(local_authorities.la_code) as current_la_count
    from regions
    left join local_authorities
        on
            regions.region_code = local_authorities.region_code
            and local_authorities.is_current
    group by regions.region_code, regions.region_name
),

final as (
    select
        actual.region_name,
        expected.expected_la_count,
        actual.current_la_count,
        coalesce(actual.region_code, expected.region_code) as region_code
    from actual
    full outer join expected
        on actual.region_code = expected.region_code
    where actual.current_la_count is distinct from expected.expected_la_count
)

select * from final
