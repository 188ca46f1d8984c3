-- The Department for Education's output: for each region whose agreement with DfE is in
-- force, the indicators of the item set the agreement names (riia_core; the SE's 2019 MoU:
-- the 18 Annex A indicators, adoption measures included), released quarters only, as
-- released, LAs not excepted, with comparators and ranks computed from what DfE receives
-- (SHARING.md; SE MoU 2-3, 14; EM MoU 6.6; London MoU 2.1 and App. A). Selects its rows
-- of int_sharing_outputs_la.
{{ period_incremental() }}

with outputs as (
    select * from {{ ref('int_sharing_outputs_la') }}
    where output_model = 'shr_dfe__riia_core' and {{ in_build_scope('period') }}
),

final as (
    select * exclude (audience, output_model) from outputs
)

select * from final
