{#-
    quartile_from_rank(rank_ascending, ranked_count): returns the quartile (1-4) of a
    value whose ascending rank (1 = lowest; ties share the lowest rank) is
    `rank_ascending` among `ranked_count` values, from its percent rank
    (rank - 1) / (count - 1): 1 = lowest quarter, 4 = highest, so the lowest value is
    always in quartile 1 and the highest in quartile 4. NULL when fewer than two
    values are ranked. No polarity is implied: a high value is not "good".
-#}
{% macro quartile_from_rank(rank_ascending, ranked_count) -%}
    case
        when {{ rank_ascending }} is not null and {{ ranked_count }} > 1
            then cast(least(4, 1 + floor(4.0 * ({{ rank_ascending }} - 1) / ({{ ranked_count }} - 1))) as integer)
    end
{%- endmacro %}
