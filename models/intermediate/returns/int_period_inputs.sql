-- One row per quarter with return files (or that had some when the last build committed),
-- with a fingerprint of everything its figures are computed from - the quarter's files
-- (their paths and contents), the reference data and sharing decisions in force, the
-- settings, and the project's models and seeds (a change to a macro needs a full refresh,
-- which `riia build` runs whenever the code changed) - beside the fingerprint
-- of the last build that completed every period-incremental model
-- (`int_period_inputs_committed`, written by the on-run-end hook `commit_build_scope`).
-- A quarter whose fingerprint differs is recomputed by the period-incremental models
-- (int_build_scope). A build that fails part-way commits nothing, so the next build
-- recomputes the same quarters again: no quarter is ever left half-built.
{%- set committed = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='int_period_inputs_committed'
) %}
{%- set code = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot') %}
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
            || {{ rows_fingerprint(ref('int_quarter_release_status')) }}
            || {{ rows_fingerprint(ref('quarter_release_files')) }}
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

current_inputs as (
    select
        per_period.period,
        md5(per_period.files_fingerprint || global_inputs.global_fingerprint) as inputs_fingerprint
    from per_period
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
