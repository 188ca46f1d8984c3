-- The one gate: one row per recipient, LA, quarter, indicator and measure the recipient
-- may see on the as-of date, and which version of the LA's return it sees (`file_path`).
-- Everything that leaves the pipeline, and every comparator, rank and quartile a
-- recipient receives (int_view_comparators, int_view_benchmarks), is computed from these
-- rows and no others (SHARING.md rules 1-5, 10).
--   hub            : the RIIA data team's own view: every accepted return, as in use.
--   own            : a region's own LAs (agreement in force, no LA exception), every
--                    indicator of the agreement's item set, every accepted quarter as in
--                    use, provisional until released, flagged when changed since release.
--   shared         : an outside audience (DfE, D2I, ADCS, agreed organisations): LAs of
--                    regions with an agreement in force (authorised where the audience
--                    needs it), no LA exception, released quarters only, the version the
--                    release covers (rule 4), indicators whose items are all in the
--                    agreement's item set (rule 2).
--   cross_regional : for a regional recipient, what its audience's comparison audience
--                    (D2I) is shared from the other regions: its statistical-neighbour
--                    and England comparators and ranks pool these with its own LAs.
{{ period_incremental() }}

with in_use as (
    select * from {{ ref('int_return_status') }}
    where is_accepted and {{ in_build_scope('period') }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
),

computed as (
    select
        file_path,
        indicator_code,
        measure
    from {{ ref('int_indicator_values_computed') }}
    where {{ in_build_scope('period') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

agreements as (
    select * from {{ ref('int_sharing_agreements_in_force') }}
),

recipients as (
    select * from {{ ref('int_sharing_recipients') }}
),

exceptions as (
    select * from {{ ref('la_sharing_exceptions') }}
    where
        excluded_from <= {{ as_of_date() }}
        and (excluded_to is null or {{ as_of_date() }} <= excluded_to)
),

set_indicators as (
    select * from {{ ref('int_sharing_item_set_indicators') }}
),

releases as (
    select * from {{ ref('int_quarter_release_status') }}
),

released_files as (
    select * from {{ ref('int_sharing_released_files') }}
    where is_still_received and {{ in_build_scope('period') }}
),

hub as (
    select
        'hub' as recipient_id,
        'hub' as audience,
        in_use.la_code,
        in_use.period,
        computed.indicator_code,
        computed.measure,
        in_use.file_path,
        'own' as visibility,
        cast(null as varchar) as agreement_id,
        false as is_provisional,
        false as is_changed_since_release
    from in_use
    inner join computed on in_use.file_path = computed.file_path
),

own as (
    select
        recipients.recipient_id,
        recipients.audience,
        in_use.la_code,
        in_use.period,
        computed.indicator_code,
        computed.measure,
        in_use.file_path,
        'own' as visibility,
        agreements.agreement_id,
        not releases.is_released as is_provisional,
        releases.is_released
        and (
            released_files.file_path is null
            or released_files.file_path <> in_use.file_path
            or released_files.file_sha256 <> files.file_sha256
        ) as is_changed_since_release
    from in_use
    inner join files on in_use.file_path = files.file_path
    inner join local_authorities on in_use.la_code = local_authorities.la_code
    inner join recipients on local_authorities.region_code = recipients.region_code
    inner join agreements
        on
            local_authorities.region_code = agreements.region_code
            and recipients.audience = agreements.audience
    inner join computed on in_use.file_path = computed.file_path
    inner join set_indicators
        on
            agreements.item_set = set_indicators.item_set
            and computed.indicator_code = set_indicators.indicator_code
            and computed.measure = set_indicators.measure
    inner join releases
        on
            local_authorities.region_code = releases.region_code
            and in_use.period = releases.period
    left join released_files
        on
            local_authorities.region_code = released_files.region_code
            and in_use.period = released_files.period
            and in_use.la_code = released_files.la_code
    anti join exceptions
        on
            in_use.la_code = exceptions.la_code
            and agreements.audience = exceptions.audience
),

shared as (
    select
        recipients.recipient_id,
        recipients.audience,
        released_files.la_code,
        released_files.period,
        computed.indicator_code,
        computed.measure,
        released_files.file_path,
        'shared' as visibility,
        agreements.agreement_id,
        false as is_provisional,
        false as is_changed_since_release
    from released_files
    inner join agreements on released_files.region_code = agreements.region_code
    inner join recipients
        on
            agreements.audience = recipients.audience
            and recipients.region_code is null
    inner join computed on released_files.file_path = computed.file_path
    inner join set_indicators
        on
            agreements.item_set = set_indicators.item_set
            and computed.indicator_code = set_indicators.indicator_code
            and computed.measure = set_indicators.measure
    anti join exceptions
        on
            released_files.la_code = exceptions.la_code
            and agreements.audience = exceptions.audience
),

cross_regional as (
    select
        recipients.recipient_id,
        recipients.audience,
        shared.la_code,
        shared.period,
        shared.indicator_code,
        shared.measure,
        shared.file_path,
        'cross_regional' as visibility,
        shared.agreement_id,
        false as is_provisional,
        false as is_changed_since_release
    from shared
    inner join recipients
        on
            shared.audience = recipients.comparison_audience
            and recipients.region_code is not null
    inner join local_authorities on shared.la_code = local_authorities.la_code
    where local_authorities.region_code <> recipients.region_code
),

final as (
    select * from hub
    union all
    select * from own
    union all
    select * from shared
    union all
    select * from cross_regional
)

select * from final
