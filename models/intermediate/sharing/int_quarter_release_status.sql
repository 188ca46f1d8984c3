-- One row per region and quarter: whether the region has checked and released the
-- quarter by the as-of date (SHARING.md rule 3, SE MoU 14: summaries are first
-- checked by the region, and only then released). Unreleased quarters are visible to
-- their own region only, marked provisional.
with regions as (
    select * from {{ ref('ref_regions') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

releases as (
    select * from {{ ref('quarter_releases') }}
    where released_on <= {{ as_of_date() }}
),

final as (
    select
        regions.region_code,
        periods.period,
        releases.checked_by,
        releases.released_on,
        releases.region_code is not null as is_released
    from regions
    cross join periods
    left join releases
        on
            regions.region_code = releases.region_code
            and periods.period = releases.period
)

select * from final
