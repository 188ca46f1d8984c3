-- SHARING.md rule 10: an LA's free-text comment reaches its own region and no other
-- audience. Returns rows of other audiences' outputs that carry a comment or a warning;
-- gates publication.
{{ config(tags=['gate']) }}

with other_audiences as (
    select
        recipient_id,
        la_code,
        period,
        indicator_code,
        la_comment,
        warning_rule_ids
    from {{ ref('shr_dfe__riia_core') }}
    union all
    select
        recipient_id,
        la_code,
        period,
        indicator_code,
        la_comment,
        warning_rule_ids
    from {{ ref('shr_d2i__riia_core') }}
    union all
    select
        recipient_id,
        la_code,
        period,
        indicator_code,
        la_comment,
        warning_rule_ids
    from {{ ref('shr_agreed__indicators') }}
)

select *
from other_audiences
where la_comment is not null or warning_rule_ids is not null
