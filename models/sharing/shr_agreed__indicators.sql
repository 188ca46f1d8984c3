-- The one generic output for any further audience (SHARING.md: "other agreed
-- organisations", London MoU App. B): keyed by audience, so a new organisation needs seed
-- rows only (its audience row naming this output, and agreements, authorised where the
-- audience needs a board's authorisation). An LA-grain audience gets its LA rows, shaped
-- as every LA-grain output (int_sharing_outputs_la: `area_type` = la, `area_code` = the
-- LA); a national-grain one England's aggregates (int_sharing_outputs_national:
-- `area_type` = england, `area_code` = E92000001), the LA columns empty.
{{ period_incremental() }}

with la_rows as (
    select * from {{ ref('int_sharing_outputs_la') }}
    where output_model = 'shr_agreed__indicators' and {{ in_build_scope('period') }}
),

national_rows as (
    select * from {{ ref('int_sharing_outputs_national') }}
    where output_model = 'shr_agreed__indicators' and {{ in_build_scope('period') }}
),

final as (
    select
        'la' as area_type,
        la_code as area_code,
        * exclude (output_model)
    from la_rows
    union all by name
    select
        'england' as area_type,
        'E92000001' as area_code,
        * exclude (output_model)
    from national_rows
)

select * from final
