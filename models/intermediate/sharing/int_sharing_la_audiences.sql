-- One row per current LA and audience that may receive the LA's data on the as-of
-- date: its region has an agreement in force with the audience (rule 1) and the LA
-- has no exception in force for that audience (rule 2: participation is voluntary).
with local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
    where is_current
),

agreements as (
    select * from {{ ref('int_sharing_agreements_in_force') }}
),

exceptions as (
    select * from {{ ref('la_sharing_exceptions') }}
    where
        excluded_from <= {{ as_of_date() }}
        and (excluded_to is null or {{ as_of_date() }} <= excluded_to)
),

final as (
    select
        local_authorities.la_code,
        local_authorities.la_name,
        local_authorities.region_code,
        local_authorities.region_name,
        agreements.audience,
        agreements.agreement_id,
        agreements.item_set as agreed_item_set,
        agreements.clause
    from local_authorities
    inner join agreements on local_authorities.region_code = agreements.region_code
    left join exceptions
        on
            local_authorities.la_code = exceptions.la_code
            and agreements.audience = exceptions.audience
    where exceptions.la_code is null
)

select * from final
