-- SHARING.md rule 4 (SE MoU 14: checked by the region, and only then released): no row of a
-- quarter its region has not released reaches an audience outside the region. Returns the
-- offending rows; gates publication.
{{ config(tags=['gate']) }}

with outside as (
    {{ outside_rows(['recipient_id', 'region_code', 'period']) }}
),

releases as (
    select * from {{ ref('int_quarter_release_status') }}
)

select outside.*
from outside
left join releases
    on
        outside.region_code = releases.region_code
        and outside.period = releases.period
where not coalesce(releases.is_released, false)
