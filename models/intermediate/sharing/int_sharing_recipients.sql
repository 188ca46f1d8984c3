-- One row per recipient: each audience with an agreement in force on the as-of date, or,
-- for an audience split per region (the regional alliances), each region with one. Every
-- recipient gets its own folder (`folder`), its own view of the data (int_sharing_gate)
-- and the outputs, handling marking and reports its audience row names: publishing and
-- the reports iterate over this model, so a new audience needs seed rows only.
with agreements as (
    select * from {{ ref('int_sharing_agreements_in_force') }}
),

audiences as (
    select * from {{ ref('sharing_audiences') }}
),

regions as (
    select * from {{ ref('ref_regions') }}
),

recipients as (
    select distinct
        audiences.audience,
        case when audiences.is_split_per_region then agreements.region_code end as region_code
    from agreements
    inner join audiences on agreements.audience = audiences.audience
),

final as (
    select
        case
            when recipients.region_code is not null then recipients.audience || ':' || recipients.region_code
            else recipients.audience
        end as recipient_id,
        recipients.audience,
        recipients.region_code,
        regions.region_name,
        audiences.audience_name,
        audiences.organisation,
        audiences.facilitated_by,
        audiences.grain,
        audiences.comparison_audience,
        audiences.output_model,
        audiences.extra_outputs,
        audiences.includes_comments,
        audiences.handling_marking,
        audiences.file_marking,
        case
            when recipients.region_code is not null
                then
                    recipients.audience || '/' || recipients.region_code || '_'
                    || trim(regexp_replace(lower(regions.region_name), '[^a-z0-9]+', '-', 'g'), '-')
            else recipients.audience
        end as folder
    from recipients
    inner join audiences on recipients.audience = audiences.audience
    left join regions on recipients.region_code = regions.region_code
)

select * from final
