-- SHARING.md rule 10: an LA's free-text comment reaches its own region and no other
-- audience. Returns rows of other audiences' outputs that carry a comment or a warning;
-- gates publication.
{{ config(tags=['gate']) }}

with other_audiences as (
    {{ outside_rows(
        ['recipient_id', 'la_code', 'period', 'indicator_code', 'la_comment', 'warning_rule_ids'],
        la_rows_only=false,
    ) }}
)

select *
from other_audiences
where la_comment is not null or warning_rule_ids is not null
