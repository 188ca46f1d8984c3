-- One row per region and quarter: whether the region has checked and released the
-- quarter by the as-of date and, if so, its latest release (`riia release`; SHARING.md
-- rule 4, SE MoU 14: summaries are first checked by the region, and only then released).
-- Unreleased quarters are visible to their own region only, marked provisional.
with regions as (
    select * from {{ ref('ref_regions') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

releases as (
    select
        *,
        count(*) over (partition by region_code, period) as times_released,
        row_number() over (partition by region_code, period order by released_on desc, release_id desc) as recency
    from {{ ref('quarter_releases') }}
    where released_on <= {{ as_of_date() }}
),

final as (
    select
        regions.region_code,
        periods.period,
        releases.release_id,
        releases.checked_by,
        releases.released_on,
        cast(coalesce(releases.times_released, 0) as integer) as times_released,
        releases.release_id is not null as is_released
    from regions
    cross join periods
    left join releases
        on
            regions.region_code = releases.region_code
            and periods.period = releases.period
            and releases.recency = 1
)

select * from final
