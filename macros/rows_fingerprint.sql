{#-
    rows_fingerprint(relation): returns a SQL expression, the md5 of every row of
    `relation` (a ref, or a parenthesised query) as text, in a fixed order: it changes when
    any row changes, and only then. Used to tell which quarters a change of the reference
    data or the sharing decisions touches (int_period_inputs).
-#}
{% macro rows_fingerprint(relation) -%}
    coalesce((select md5(string_agg(row_text, '|' order by row_text)) from (select cast(fingerprinted as varchar) as row_text from {{ relation }} as fingerprinted)), '')
{%- endmacro %}
