-- The comparator groups each view needs, and their members: one row per view, quarter,
-- comparator group (the regions, the statistical neighbours and England of the LAs the
-- view reports on) and member LA of the group that quarter, with the member's 0-17
-- population. Each group is numbered within its quarter (`group_number`), so that
-- int_view_comparators adds its members' figures up on a key of two short values rather
-- than four texts: a quarter's groups are numbered in the order of their keys, from
-- that quarter's groups alone. The first step of the one comparator engine
-- (int_view_comparator_members adds the figures, int_view_comparators the sums). A table,
-- period-incremental (the numbering is per quarter): int_view_comparators reads it twice,
-- and as a view DuckDB computed it once for both reads and held the result with the sums,
-- which ran out of memory at 350MB on the sample; from a table it runs within 300MB.
{{ period_incremental(chunked=true) }}

with groups as (
    select * from {{ ref('int_comparator_groups') }}
    where {{ in_build_scope('period') }}
),

population_0_17 as (
    select
        area_code as la_code,
        period,
        population
    from {{ ref('int_population_by_period') }}
    where geography_level = 'la' and age_band = '0-17'
),

subjects as (
    select distinct
        recipient_id,
        period,
        la_code,
        region_code
    from {{ ref('int_view_indicator_values') }}
    where visibility <> 'cross_regional' and {{ in_build_scope('period') }}
),

-- each LA's three groups, from one read of the subjects (a CTE read three times would be
-- materialized whole, out of reach of a caller's filter on `period`)
needed_groups as (
    select distinct
        subjects.recipient_id,
        subjects.period,
        kinds.comparator_type,
        kinds.comparator_key
    from subjects
    cross join lateral (
        values
        ('region', subjects.region_code),
        ('statistical_neighbours', subjects.la_code),
        ('england', 'E92000001')
    ) as kinds (comparator_type, comparator_key)
),

numbered_groups as (
    select
        *,
        row_number() over (
            partition by period order by recipient_id, comparator_type, comparator_key
        ) as group_number
    from needed_groups
),

final as (
    select
        numbered_groups.recipient_id,
        numbered_groups.period,
        numbered_groups.comparator_type,
        numbered_groups.comparator_key,
        numbered_groups.group_number,
        groups.member_la_code,
        population_0_17.population as population_0_17
    from numbered_groups
    inner join groups
        on
            numbered_groups.period = groups.period
            and numbered_groups.comparator_type = groups.comparator_type
            and numbered_groups.comparator_key = groups.comparator_key
    left join population_0_17
        on
            groups.member_la_code = population_0_17.la_code
            and groups.period = population_0_17.period
)

select * from final
