{#-
    round_half_up(expression, decimal_places): returns `expression` rounded half-up
    (0.05 -> 0.1, 12.25 -> 12.3) to `decimal_places`, as a DOUBLE, the way DfE
    publishes figures. `decimal_places` may be a column (e.g. ref_indicators.rounding_dp).
    The value is scaled by 10^dp and cast to DECIMAL(38, 6), which absorbs binary
    floating-point error (12.35 is held as 12.3499999...), and DuckDB's DECIMAL round()
    rounds halves away from zero: half-up for the non-negative figures of the returns.
-#}
{% macro round_half_up(expression, decimal_places) -%}
    (
        cast(round(cast({{ expression }} * power(10, {{ decimal_places }}) as decimal(38, 6)), 0) as double)
        / power(10, {{ decimal_places }})
    )
{%- endmacro %}
