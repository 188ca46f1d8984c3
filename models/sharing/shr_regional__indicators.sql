-- The regional alliances' output: for each region with a regional agreement in force, its
-- own LAs in full - every item it collects, provisional (unreleased) quarters included and
-- marked, figures changed since release marked, LA comments and warnings - with
-- comparators, ranks and quartiles from the region's own view (its LAs plus the LAs shared
-- cross-regionally, shr_regional__cross_regional). Published per region, each to its own
-- folder. The shaping is int_sharing_outputs_la's; this selects the rows.
{{ period_incremental() }}

with outputs as (
    select * from {{ ref('int_sharing_outputs_la') }}
    where output_model = 'shr_regional__indicators' and {{ in_build_scope('period') }}
),

final as (
    select * exclude (audience, output_model) from outputs
)

select * from final
