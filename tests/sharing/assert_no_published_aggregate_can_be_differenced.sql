-- SHARING.md rules 6 and 7: no national aggregate is published that too few LAs make, or
-- that an organisation receiving it could difference with the LA figures it receives to
-- recover an LA or a region it may not see (int_sharing_disclosure judges every
-- organisation, quarter and indicator). Returns published rows the disclosure rules
-- withhold; gates publication.
{{ config(tags=['gate']) }}

with published as (
    select
        recipient_id,
        period,
        indicator_code
    from {{ ref('shr_adcs__national') }}
    union all
    select
        recipient_id,
        period,
        indicator_code
    from {{ ref('shr_agreed__indicators') }}
    where area_type = 'england'
),

disclosure as (
    select * from {{ ref('int_sharing_disclosure') }}
)

select published.*
from published
left join disclosure
    on
        published.recipient_id = disclosure.recipient_id
        and published.period = disclosure.period
        and published.indicator_code = disclosure.indicator_code
where disclosure.is_withheld or disclosure.recipient_id is null
