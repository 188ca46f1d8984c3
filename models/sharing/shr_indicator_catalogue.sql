-- For every recipient: the catalogue of the indicators and measures its output holds - name,
-- plain unit, topic, direction (polarity), headline measure, order and rounding - so that
-- its reports read headers, bands and units from its own folder (REPORTS.md: reports render
-- only from the recipient's own output). Public reference information, no figure.
with recipients as (
    select * from {{ ref('int_sharing_recipients') }}
),

view_measures as (
    select distinct
        recipient_id,
        indicator_code,
        measure
    from {{ ref('int_view_indicator_values') }}
    where visibility <> 'cross_regional'
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

items as (
    select * from {{ ref('ref_items') }}
),

final as (
    select
        recipients.recipient_id,
        indicators.indicator_code,
        indicators.measure,
        indicators.indicator_ref,
        indicators.indicator_name,
        items.topic,
        indicators.basis,
        indicators.item_set,
        indicators.unit_label,
        indicators.polarity,
        indicators.is_headline,
        indicators.display_order,
        indicators.window_quarters,
        indicators.base_measure,
        indicators.rounding_dp
    from recipients
    inner join view_measures on recipients.recipient_id = view_measures.recipient_id
    inner join indicators
        on
            view_measures.indicator_code = indicators.indicator_code
            and view_measures.measure = indicators.measure
    inner join items on indicators.numerator_item = items.item_code
)

select * from final
