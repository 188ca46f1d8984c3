-- Every recipient the build delivers to, with its folder, its output, its handling
-- marking and the reports it may read: one row per audience with an agreement in force,
-- or per region for an audience split by region (int_sharing_recipients). Publishing and
-- the reports iterate over this model; nothing is hard-coded in a script.
with recipients as (
    select * from {{ ref('int_sharing_recipients') }}
),

final as (
    select
        recipient_id,
        audience,
        region_code,
        region_name,
        audience_name,
        organisation,
        facilitated_by,
        grain,
        output_model,
        extra_outputs,
        includes_comments,
        handling_marking,
        file_marking,
        folder
    from recipients
)

select * from final
