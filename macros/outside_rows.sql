{#-
    outside_rows(columns, la_rows_only=true): returns a SQL query, the union of the rows that
    leave their region at LA grain: the LA-grain output of each audience outside the region
    (seed sharing_audiences: `output_model` where `grain` is `la`, every audience but
    `regional`), `columns` of each; with la_rows_only=false, also the rows of those outputs
    that are not about one LA (an agreed organisation's England rows). The one list of those
    outputs, read by the sharing rules' singular tests (tests/sharing/);
    tests/python/test_project_shape.py checks it against the seed, so that a new audience
    cannot be left out of the rules.
-#}
{% macro outside_rows(columns, la_rows_only=true) -%}
    {%- set outputs = outside_la_outputs() -%}
    {%- for model, la_rows in outputs.items() %}
    select {{ columns | join(', ') }}
    from {{ ref(model) }}
    {%- if la_rows and la_rows_only %}
    where {{ la_rows }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- outside_la_outputs(): the LA-grain outputs of the audiences outside the region, each with
    the condition that picks its rows about one LA (none: every row is). -#}
{% macro outside_la_outputs() -%}
    {{ return({
        'shr_dfe__riia_core': none,
        'shr_d2i__riia_core': none,
        'shr_agreed__indicators': "area_type = 'la'",
    }) }}
{%- endmacro %}
