-- The one generic output for any further audience (SHARING.md: "other agreed
-- organisations", London MoU App. B): keyed by audience, so a new organisation needs seed
-- rows only (its audience row naming this output, and agreements, authorised where the
-- audience needs a board's authorisation). LA-grain audiences get their LA rows
-- (`area_type` = la, `area_code` = the LA) from int_sharing_outputs_la; national-grain
-- ones England's aggregates (`area_type` = england) from int_sharing_outputs_national.
with la_rows as (
    select * from {{ ref('int_sharing_outputs_la') }}
    where output_model = 'shr_agreed__indicators'
),

national_rows as (
    select * from {{ ref('int_sharing_outputs_national') }}
    where output_model = 'shr_agreed__indicators'
),

final as (
    select
        recipient_id,
        audience,
        'la' as area_type,
        la_code as area_code,
        la_name as area_name,
        region_code,
        period,
        released_on,
        indicator_code,
        indicator_name,
        measure,
        value,
        value_status,
        numerator,
        denominator,
        population,
        region_value,
        neighbours_value,
        england_value,
        cast(england_contributing_las as integer) as contributing_las,
        rank_in_region,
        las_ranked_in_region,
        rank_among_neighbours,
        las_ranked_among_neighbours,
        rank_in_england,
        las_ranked_in_england,
        quartile_in_england,
        agreement_id,
        handling_marking
    from la_rows
    union all
    select
        recipient_id,
        audience,
        'england' as area_type,
        'E92000001' as area_code,
        'England' as area_name,
        cast(null as varchar) as region_code,
        period,
        cast(null as date) as released_on,
        indicator_code,
        indicator_name,
        measure,
        value,
        cast(null as varchar) as value_status,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        cast(null as bigint) as population,
        cast(null as double) as region_value,
        cast(null as double) as neighbours_value,
        england_estimate as england_value,
        cast(contributing_las as integer) as contributing_las,
        cast(null as integer) as rank_in_region,
        cast(null as integer) as las_ranked_in_region,
        cast(null as integer) as rank_among_neighbours,
        cast(null as integer) as las_ranked_among_neighbours,
        cast(null as integer) as rank_in_england,
        cast(null as integer) as las_ranked_in_england,
        cast(null as integer) as quartile_in_england,
        cast(null as varchar) as agreement_id,
        handling_marking
    from national_rows
)

select * from final
