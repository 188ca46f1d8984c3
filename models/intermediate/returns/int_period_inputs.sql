-- One row per quarter with return files (or that had some when the last build committed),
-- with a fingerprint of everything its figures are computed from - the quarter's files
-- (their paths and contents) and its releases (which files each region checked and released:
-- `riia release`), the reference data and sharing decisions in force, the settings, and the
-- project's models and seeds (a change to a macro needs a full refresh, which `riia build`
-- runs whenever the code changed) - beside the fingerprint of the last build that completed
-- every period-incremental model (`int_period_inputs_committed`, written by the on-run-end
-- hook `commit_build_scope`). A quarter whose fingerprint differs is recomputed by the
-- period-incremental models (int_build_scope). A build that fails part-way commits nothing,
-- so the next build recomputes the same quarters again: no quarter is ever left half-built.
-- A release is a quarter's own input, not every quarter's: the release seeds are left out of
-- the project's checksums, so that releasing a quarter recomputes it and the seven after
-- (whose 12-month measures and comparisons read it), not the whole history.
{%- set committed = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='int_period_inputs_committed'
) %}
{%- set code = [] %}
{%- set release_seeds = ['quarter_releases', 'quarter_release_files'] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'seed', 'snapshot') and node.name not in release_seeds %}
        {%- do code.append(node.unique_id ~ ':' ~ node.checksum.checksum) %}
    {%- endfor %}
{%- endif %}
{%- set settings = [
    var('comparator_min_members', 5),
    var('differencing_min_las', 3),
    var('adcs_min_las', 10),
    var('return_deadline_days', 42),
] %}
{%- set agreements_in_force = '(select * exclude (as_of_date, days_to_end, is_ending_soon) from '
    ~ ref('int_sharing_agreements_in_force') ~ ')' %}

with files as (
    select * from {{ ref('int_return_files_versioned') }}
    where has_valid_file_name
),

periods as (
    select * from {{ ref('int_periods') }}
),

-- what every quarter shares: the code, the settings, the reference data and the sharing
-- decisions in force (as loaded in the warehouse, not as the seed files say)
global_inputs as (
    select
        md5(
            '{{ local_md5(code | sort | join("|")) }}|{{ settings | join("|") }}'
            || {{ rows_fingerprint(ref('ref_indicators')) }}
            || {{ rows_fingerprint(ref('ref_items')) }}
            || {{ rows_fingerprint(ref('ref_population')) }}
            || {{ rows_fingerprint(ref('ref_local_authorities')) }}
            || {{ rows_fingerprint(ref('ref_statistical_neighbours')) }}
            || {{ rows_fingerprint(agreements_in_force) }}
            || {{ rows_fingerprint(ref('la_sharing_exceptions')) }}
            || {{ rows_fingerprint(ref('sharing_item_sets')) }}
            || {{ rows_fingerprint(ref('sharing_audiences')) }}
            || coalesce((
                select string_agg(period, '|' order by period)
                from periods
                where has_ended
            ), '')
        ) as global_fingerprint
),

per_period as (
    select
        file_name_period as period,
        md5(
            string_agg(file_path || ':' || coalesce(file_sha256, file_status), '|' order by file_path)
        ) as files_fingerprint
    from files
    group by file_name_period
),

-- each quarter's releases in force on the as-of date: every region's latest release and
-- how many, and the files (path and SHA-256) each covers
release_rows as (
    select
        release_status.period,
        cast(release_status as varchar) as row_text
    from {{ ref('int_quarter_release_status') }} as release_status
    union all
    select
        released_files.period,
        cast(released_files as varchar) as row_text
    from {{ ref('int_sharing_released_files') }} as released_files
),

releases_per_period as (
    select
        period,
        md5(string_agg(row_text, '|' order by row_text)) as releases_fingerprint
    from release_rows
    group by period
),

current_inputs as (
    select
        per_period.period,
        md5(
            per_period.files_fingerprint
            || coalesce(releases_per_period.releases_fingerprint, '')
            || global_inputs.global_fingerprint
        ) as inputs_fingerprint
    from per_period
    left join releases_per_period on per_period.period = releases_per_period.period
    cross join global_inputs
),

final as (
    {% if committed is not none -%}
        -- a quarter that lost every file keeps a row (no fingerprint) so that it is recomputed
        select
            coalesce(current_inputs.period, committed.period) as period,
            current_inputs.inputs_fingerprint,
            committed.inputs_fingerprint as committed_inputs_fingerprint
        from current_inputs
        full outer join {{ committed }} as committed on current_inputs.period = committed.period
        where current_inputs.period is not null or committed.inputs_fingerprint is not null
    {%- else -%}
        select
            period,
            inputs_fingerprint,
            cast(null as varchar) as committed_inputs_fingerprint
        from current_inputs
    {%- endif %}
)

select * from final
