-- Data to Insight's cross-regional output: riia_core at LA level, released quarters only,
-- as released, for regions that agreed cross-regional sharing (London MoU App. A; the
-- suggested template text) and LAs not excepted, with comparators and ranks computed from
-- this dataset alone. Every region's view adds these LAs (shr_regional__cross_regional).
-- Selects its rows of int_sharing_outputs_la.
{{ period_incremental() }}

with outputs as (
    select * from {{ ref('int_sharing_outputs_la') }}
    where output_model = 'shr_d2i__riia_core' and {{ in_build_scope('period') }}
),

final as (
    select * exclude (audience, output_model) from outputs
)

select * from final
