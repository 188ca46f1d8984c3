{#-
    polarity_band(quartile, polarity): returns the LAIT-style band A-D of a quartile in
    England (1 = lowest quarter ... 4 = highest) for an indicator whose direction is agreed
    (`ref_indicators.polarity`): A = the best quarter - the highest for `higher_is_better`,
    the lowest for `lower_is_better` - down to D. NULL for `context` indicators (a neutral
    scale: no direction is implied) and when there is no quartile (REPORTS.md).
-#}
{% macro polarity_band(quartile, polarity) -%}
    case
        when {{ polarity }} = 'higher_is_better' then ['D', 'C', 'B', 'A'][{{ quartile }}]
        when {{ polarity }} = 'lower_is_better' then ['A', 'B', 'C', 'D'][{{ quartile }}]
    end
{%- endmacro %}
