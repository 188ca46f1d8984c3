{#-
    scope_chunks(sql): the statements that build a chunked period-incremental model
    (period_incremental(chunked=true)) from its compiled `sql`, one per group of at most
    `scope_chunk_quarters` consecutive quarters of what the build recomputes: on an
    incremental run the quarters of int_build_scope; on a full build every quarter with
    return files (int_period_inputs), the last group also taking any row whose quarter is
    none of them, so that the groups together are exactly the full build. Each statement is
    `sql` with every `in_build_scope` condition replaced by its group's list; each reads
    its group's quarters and their context only, so the memory a recompute of the whole
    history needs is that of a quarterly build, not one that grows with the years loaded.
    A model not chunked, or whose scope fits in one group, is built by `sql` as it is.
-#}
{% macro scope_chunks(sql, full_build) -%}
    {%- set size = var('scope_chunk_quarters', 8) | int -%}
    {%- if not config.get('meta', {}).get('scope_chunked') or not execute or size < 1 -%}
        {{ return([sql]) }}
    {%- endif -%}
    {#- read by name: upstream of int_build_scope, so built before any model that refs it -#}
    {%- set periods_relation = scope_model_relation('int_periods') -%}
    {%- set inputs_relation = scope_model_relation('int_period_inputs') -%}
    {%- if full_build -%}
        {%- set query -%}
            select periods.period from {{ periods_relation }} as periods
            where periods.period in (
                select inputs.period from {{ inputs_relation }} as inputs
                where inputs.inputs_fingerprint is not null
            )
            order by periods.period_index
        {%- endset -%}
    {%- else -%}
        {%- set query -%}
            select periods.period from {{ periods_relation }} as periods
            where periods.period in (select scope.period from {{ ref('int_build_scope') }} as scope)
            order by periods.period_index
        {%- endset -%}
    {%- endif -%}
    {%- set periods = run_query(query).columns[0].values() | list -%}
    {%- set columns = modules.re.findall('/\\*riia-scope:([^*]+)\\*/', sql) | unique | list -%}
    {%- if periods | length <= size -%}
        {{ return([sql]) }}
    {%- elif columns | length == 0 -%}
        {#- every group would insert the whole model again -#}
        {{ exceptions.raise_compiler_error(model.name ~ ' is chunked (period_incremental(chunked=true)) but filters nothing with in_build_scope') }}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for start in range(0, periods | length, size) -%}
        {%- set chunk = periods[start:start + size] -%}
        {%- set is_last = start + size >= periods | length -%}
        {%- set ns = namespace(text=sql) -%}
        {%- for column in columns -%}
            {%- set condition = scope_condition(column, chunk) -%}
            {%- if full_build and is_last -%}
                {%- set condition = condition ~ ' or ' ~ column ~ ' is null or not ' ~ scope_condition(column, periods) -%}
            {%- endif -%}
            {%- set pattern = '\\(/\\*riia-scope:' ~ modules.re.escape(column) ~ '\\*/ [^()]*(\\([^()]*\\))?\\)' -%}
            {%- set ns.text = modules.re.sub(pattern, '(' ~ condition ~ ')', ns.text) -%}
        {%- endfor -%}
        {%- do statements.append(ns.text) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{#- scope_model_relation(name): the relation of one of the project's models, by its name. -#}
{% macro scope_model_relation(name) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ name] -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
