-- The hub's benchmarks (the RIIA data team's own view, which holds every accepted return):
-- one row per LA, quarter, indicator and measure, set against its region, its
-- statistical neighbours and England, with its ranks, quartiles and changes. Computed by
-- the one comparator and rank engine (int_view_benchmarks) from the hub's view; every
-- shared output (and so every published tartan rug) is the same engine on its own
-- recipient's view, which for an outside audience holds fewer LAs (SHARING.md rule 5).
{{ period_incremental() }}

with benchmarks as (
    select * from {{ ref('int_view_benchmarks') }}
    where recipient_id = 'hub' and {{ in_build_scope('period') }}
),

final as (
    select
        la_code,
        period,
        region_code,
        indicator_code,
        measure,
        value,
        value_status,
        region_value,
        region_contributing_las,
        neighbours_value,
        neighbours_contributing_las,
        neighbours_member_las,
        coalesce(is_neighbours_low_coverage, false) as is_neighbours_low_coverage,
        england_value,
        england_contributing_las,
        england_population_coverage,
        rank_in_region,
        las_ranked_in_region,
        quartile_in_region,
        rank_among_neighbours,
        las_ranked_among_neighbours,
        rank_in_england,
        las_ranked_in_england,
        quartile_in_england,
        previous_quartile_in_england,
        band_in_england,
        previous_band_in_england,
        previous_quarter_value,
        change_on_previous_quarter,
        same_quarter_last_year_value,
        change_on_same_quarter_last_year
    from benchmarks
)

select * from final
