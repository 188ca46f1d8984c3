-- SHARING.md rule 2: items outside riia_core leave their region only under an agreement of
-- that region naming a set that contains them - EM's early-help, missing and workforce
-- items reach no one outside the East Midlands; the SE's adoption items only DfE, under the
-- SE's Annex A agreement. Returns the offending rows; gates publication.
{{ config(tags=['gate']) }}

with shared as (
    {{ outside_rows(['recipient_id', 'region_code', 'la_code', 'period', 'indicator_code', 'agreement_id']) }}
),

regional_indicators as (
    select * from {{ ref('ref_indicators') }}
    where item_set = 'regional'
),

agreements as (
    select * from {{ ref('sharing_agreements') }}
),

item_sets as (
    select * from {{ ref('sharing_item_sets') }}
)

select shared.*
from shared
inner join regional_indicators on shared.indicator_code = regional_indicators.indicator_code
inner join agreements on shared.agreement_id = agreements.agreement_id
left join item_sets
    on
        agreements.item_set = item_sets.item_set
        and regional_indicators.numerator_item = item_sets.item_code
where item_sets.item_code is null
