-- One row per recipient and thing withheld from it, and why, as written into its manifest
-- and CHANGES note: quarters of a region not released yet (rule 4), an LA's quarter whose
-- released return is no longer received unchanged (release the quarter again), LAs
-- withdrawn from the audience (rule 3), and national aggregates withheld by the disclosure
-- rules (rules 6-7).
with recipients as (
    select * from {{ ref('int_sharing_recipients') }}
),

agreements as (
    select * from {{ ref('int_sharing_agreements_in_force') }}
),

releases as (
    select * from {{ ref('int_quarter_release_status') }}
),

returns as (
    select * from {{ ref('int_return_status') }}
    where is_accepted
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

released_files as (
    select * from {{ ref('int_sharing_released_files') }}
),

exceptions as (
    select * from {{ ref('la_sharing_exceptions') }}
    where
        excluded_from <= {{ as_of_date() }}
        and (excluded_to is null or {{ as_of_date() }} <= excluded_to)
),

disclosure as (
    select * from {{ ref('int_sharing_disclosure') }}
    where is_withheld
),

outside_recipients as (
    select
        recipients.recipient_id,
        agreements.region_code
    from recipients
    inner join agreements on recipients.audience = agreements.audience
    where recipients.region_code is null
),

unreleased_quarters as (
    select distinct
        outside_recipients.recipient_id,
        'quarter' as scope,
        outside_recipients.region_code,
        cast(null as varchar) as la_code,
        returns.period,
        cast(null as varchar) as indicator_code,
        'the region has not released the quarter yet (SHARING.md rule 4: checked before release)' as reason
    from outside_recipients
    inner join local_authorities on outside_recipients.region_code = local_authorities.region_code
    inner join returns on local_authorities.la_code = returns.la_code
    inner join releases
        on
            outside_recipients.region_code = releases.region_code
            and returns.period = releases.period
    where not releases.is_released
),

changed_releases as (
    select
        outside_recipients.recipient_id,
        'la_quarter' as scope,
        released_files.region_code,
        released_files.la_code,
        released_files.period,
        cast(null as varchar) as indicator_code,
        'the released return ' || released_files.file_path
        || ' is no longer in the returns folder unchanged: the region must release the quarter again' as reason
    from released_files
    inner join outside_recipients on released_files.region_code = outside_recipients.region_code
    where not released_files.is_still_received
),

withdrawn_las as (
    select
        recipients.recipient_id,
        'la' as scope,
        local_authorities.region_code,
        exceptions.la_code,
        cast(null as varchar) as period,
        cast(null as varchar) as indicator_code,
        'the LA has withdrawn from this sharing (SHARING.md rule 3): '
        || coalesce(exceptions.reason, 'no reason recorded')
            as reason
    from exceptions
    inner join recipients on exceptions.audience = recipients.audience
    inner join local_authorities on exceptions.la_code = local_authorities.la_code
    where recipients.region_code is null or recipients.region_code = local_authorities.region_code
),

withheld_aggregates as (
    select
        recipient_id,
        'aggregate' as scope,
        cast(null as varchar) as region_code,
        cast(null as varchar) as la_code,
        period,
        indicator_code,
        withheld_reason as reason
    from disclosure
),

final as (
    select * from unreleased_quarters
    union all
    select * from changed_releases
    union all
    select * from withdrawn_las
    union all
    select * from withheld_aggregates
)

select * from final
