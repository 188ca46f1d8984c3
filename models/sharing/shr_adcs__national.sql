-- ADCS's national aggregate: England-level riia_core totals and rates only, from LAs of
-- regions that agreed ADCS sharing (released quarters, as released, no exception), with
-- coverage and a scaled England estimate; no LA or region key; an aggregate too few LAs
-- make, or that Data to Insight (which facilitates it) could difference with the
-- cross-regional dataset to recover an LA or a region, is withheld (SHARING.md rules 6-7,
-- int_sharing_disclosure). Selects its rows of int_sharing_outputs_national.
{{ period_incremental() }}

with outputs as (
    select * from {{ ref('int_sharing_outputs_national') }}
    where output_model = 'shr_adcs__national' and {{ in_build_scope('period') }}
),

final as (
    select * exclude (audience, output_model) from outputs
)

select * from final
