{#-
    quartile_from_rank(rank_ascending, ranked_count): returns the quartile (1-4) of a
    value whose ascending rank (1 = lowest, ties share the lowest rank) is
    `rank_ascending` among `ranked_count` values: 1 = lowest quarter, 4 = highest.
    NULL when there is no rank. No polarity is implied: a high value is not "good".
-#}
{% macro quartile_from_rank(rank_ascending, ranked_count) -%}
    case
        when {{ rank_ascending }} is not null and {{ ranked_count }} > 0
            then cast(least(4, 1 + floor(4.0 * ({{ rank_ascending }} - 1) / {{ ranked_count }})) as integer)
    end
{%- endmacro %}
