{#-
    shared_la_dataset(audience): returns a SELECT of the LA-level dataset an audience
    (`dfe`, `d2i`) may receive: one row per LA, released quarter, riia_core indicator
    and measure, values rounded half-up to the indicator's decimal places, each row
    naming the agreement it is shared under and carrying the audience's handling
    marking. All the rules live upstream in int_shared_indicator_values; this only
    shapes the output, so every LA-level audience gets the same columns.
-#}
{% macro shared_la_dataset(audience) %}
    with shared as (
        select * from {{ ref('int_shared_indicator_values') }}
        where audience = '{{ audience }}'
    ),

    indicators as (
        select * from {{ ref('ref_indicators') }}
    ),

    audience as (
        select * from {{ ref('sharing_audiences') }}
        where audience = '{{ audience }}'
    )

    select
        shared.region_code,
        shared.region_name,
        shared.la_code,
        shared.la_name,
        shared.period,
        shared.released_on,
        shared.indicator_code,
        shared.indicator_name,
        shared.measure,
        {{ round_half_up('shared.value', 'indicators.rounding_dp') }} as value,
        shared.value_status,
        shared.agreement_id,
        audience.handling_marking
    from shared
    inner join indicators
        on
            shared.indicator_code = indicators.indicator_code
            and shared.measure = indicators.measure
    cross join audience
    where shared.item_set = 'riia_core' and not shared.is_provisional
{% endmacro %}
