-- SHARING.md rule 4: what was checked is what is released. Every row an audience outside
-- the region receives comes from exactly the file the region's latest release covers.
-- Returns rows whose source file is not the released one; gates publication.
{{ config(tags=['gate']) }}

with outside as (
    {{ outside_rows(['recipient_id', 'region_code', 'la_code', 'period', 'source_file']) }}
),

released as (
    select * from {{ ref('int_sharing_released_files') }}
    where is_still_received
)

select outside.*
from outside
left join released
    on
        outside.region_code = released.region_code
        and outside.la_code = released.la_code
        and outside.period = released.period
        and outside.source_file = regexp_extract(released.file_path, '[^/]+$')
where released.la_code is null
